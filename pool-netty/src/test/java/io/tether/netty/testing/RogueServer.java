package io.tether.netty.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** A server that answers every request wrongly, in one chosen way; raw sockets, a thread per connection. */
public final class RogueServer implements AutoCloseable {
  /** How it misbehaves. */
  public enum Mode {
    GARBAGE,
    TRUNCATED,
    OVERSIZED_HEADER,
    OVERSIZED_BODY,
    SLOW
  }

  public volatile Mode mode;
  /** Bytes of body it managed to send in OVERSIZED_BODY before the client closed. */
  public final AtomicLong bodyBytesSent = new AtomicLong();
  /** Connections it has finished serving (their thread ended). */
  public final java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
  private final ServerSocket server;
  private final Thread acceptor;

  public RogueServer(String host) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName(host));
    acceptor = new Thread(this::accept, "rogue-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "rogue-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      readHead(in);
      switch (mode) {
        case GARBAGE:
          out.write("\u0000\u0001\u0002 this is not HTTP at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          in.read(); // hold the connection until the client closes it
          break;
        case TRUNCATED:
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a little".getBytes(StandardCharsets.US_ASCII));
          break; // and close: the response ends early
        case OVERSIZED_HEADER:
          out.write(("HTTP/1.1 200 OK\r\nX-Huge: " + "a".repeat(64 * 1024) + "\r\nContent-Length: 0\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          in.read();
          break;
        case OVERSIZED_BODY:
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          byte[] chunk = new byte[64 * 1024];
          while (true) {
            out.write(chunk); // until the client gives up and the write fails
            bodyBytesSent.addAndGet(chunk.length);
          }
        case SLOW:
          byte[] valid = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);
          for (byte b : valid) {
            out.write(b);
            out.flush();
            Thread.sleep(100);
          }
          break;
        default:
          break;
      }
    } catch (IOException | InterruptedException e) {
      // the client closed on us, which is the point
    } finally {
      finished.incrementAndGet();
    }
  }

  private static void readHead(InputStream in) throws IOException {
    int state = 0;
    int b;
    while ((b = in.read()) >= 0) {
      state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
