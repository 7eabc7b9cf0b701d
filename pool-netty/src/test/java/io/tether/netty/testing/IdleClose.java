package io.tether.netty.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Measures when a balancer closes an idle client connection, with plain sockets: one client sends a
 * request, reads the answer and waits for the close; another connects and sends nothing. Both waits run
 * at once, each close timed as it happens. {@link Backend} is the HTTP server behind the balancer: it
 * answers every request and never closes a connection itself, so every close measured is the balancer's.
 */
public final class IdleClose {
  /** Milliseconds until each close, -1 for none within the limit. */
  public record Measured(long afterResponse, long beforeRequest) {}

  private static final ExecutorService WAITERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "idle-close-waiter");
    t.setDaemon(true);
    return t;
  });

  private IdleClose() {}

  /** Measures {@code host:port}; a close later than {@code limitMs} counts as none. */
  public static Measured measure(String host, int port, long limitMs) throws Exception {
    try (Socket active = new Socket(); Socket quiet = new Socket()) {
      quiet.connect(new InetSocketAddress(host, port), 1000);
      long quietStart = System.nanoTime();
      CompletableFuture<Long> quietClose = CompletableFuture.supplyAsync(() -> {
        try {
          return waitForClose(quiet, quietStart, limitMs);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, WAITERS);
      active.connect(new InetSocketAddress(host, port), 1000);
      active.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = active.getInputStream();
      byte[] buf = new byte[4096];
      StringBuilder got = new StringBuilder();
      while (!got.toString().endsWith("\r\n\r\nok")) {
        int n = in.read(buf);
        if (n < 0) {
          throw new AssertionError("closed before the answer: " + got);
        }
        got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
      long afterResponse = waitForClose(active, System.nanoTime(), limitMs);
      return new Measured(afterResponse, quietClose.get(limitMs * 2, TimeUnit.MILLISECONDS));
    }
  }

  /** Milliseconds from {@code since} until the peer closes (FIN, RST, or a 408 then close); -1 if never. */
  private static long waitForClose(Socket s, long since, long limitMs) throws IOException {
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (true) {
        long rest = limitMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        if (rest <= 0) {
          return -1;
        }
        s.setSoTimeout((int) rest);
        if (in.read(buf) < 0) {
          break; // an unsolicited 408 before the close is read past, then the close itself
        }
      }
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (IOException reset) {
      // an RST ends it too
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  /** An HTTP/1.1 server that answers every request with "ok" and never closes a connection itself. */
  public static final class Backend implements AutoCloseable {
    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "idle-close-backend");
      t.setDaemon(true);
      return t;
    });

    public Backend(String host) throws IOException {
      socket = new ServerSocket(0, 512, InetAddress.getByName(host));
      threads.execute(() -> {
        while (!socket.isClosed()) {
          try {
            Socket s = socket.accept();
            threads.execute(() -> serve(s));
          } catch (IOException closed) {
            return;
          }
        }
      });
    }

    public int port() {
      return socket.getLocalPort();
    }

    private static void serve(Socket s) {
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        byte[] buf = new byte[4096];
        StringBuilder pending = new StringBuilder();
        int n;
        while ((n = in.read(buf)) > 0) {
          pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          int end;
          while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
            pending.delete(0, end + 4);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
        }
      } catch (IOException gone) {
        // the balancer closed its side
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }
}
