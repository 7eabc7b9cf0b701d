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
    SLOW,
    /** Keeps the connection and answers each request with what {@link #script} returns for it. */
    SCRIPTED,
    /** Keeps the connection and answers each request with a body of {@link #streamBytes} bytes. */
    STREAM
  }

  /** The body size of a STREAM server's responses. */
  public volatile long streamBytes;

  /** What a SCRIPTED server writes for the {@code n}th request (from 0) on a connection. */
  @FunctionalInterface
  public interface Script {
    /**
     * @param connection the connection's number on this server, from 0
     * @param n the request's number on its connection, from 0
     * @param head the request line and headers
     * @return the bytes to write, or null to close the connection
     */
    byte[] answer(int connection, int n, String head) throws Exception;
  }

  public volatile Script script;
  /**
   * How a SCRIPTED server treats a request with {@code Expect: 100-continue}: CONTINUE sends the 100
   * and reads the body, WAIT reads the body without a 100 (the client must send it anyway), REFUSE reads
   * nothing more and lets the script answer at once. Other requests' bodies are read by Content-Length.
   */
  public enum Expect { CONTINUE, WAIT, REFUSE }

  public volatile Expect expect = Expect.CONTINUE;
  /** Written once, {@link #unsolicitedDelayMillis} after the first answer, on the first connection. */
  public volatile byte[] unsolicited;
  public volatile long unsolicitedDelayMillis;
  /** Connections accepted. */
  public final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
  /** Requests read, over all connections. */
  public final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

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
        int number = accepted.getAndIncrement();
        Thread t = new Thread(() -> {
          if (mode == Mode.STREAM) {
            serveStream(s);
          } else if (mode == Mode.SCRIPTED) {
            serveScript(s, number);
          } else {
            serve(s);
          }
        }, "rogue-conn");
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
      head(in);
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

  private void serveScript(Socket s, int connection) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (int n = 0; ; n++) {
        String head = head(in);
        if (head == null) {
          return;
        }
        requests.incrementAndGet();
        String lower = head.toLowerCase(java.util.Locale.ROOT);
        boolean expects = lower.contains("\r\nexpect: 100-continue");
        if (!(expects && expect == Expect.REFUSE)) {
          if (expects && expect == Expect.CONTINUE) {
            out.write(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
            out.flush();
          }
          int at = lower.indexOf("\r\ncontent-length:");
          if (at >= 0) {
            int len = Integer.parseInt(lower.substring(at + 17, lower.indexOf("\r\n", at + 2)).trim());
            head = head + new String(in.readNBytes(len), StandardCharsets.ISO_8859_1);
          }
        }
        byte[] answer = script.answer(connection, n, head);
        if (answer == null) {
          return;
        }
        out.write(answer);
        out.flush();
        byte[] extra = unsolicited;
        if (extra != null && connection == 0 && n == 0) {
          Thread.sleep(unsolicitedDelayMillis);
          out.write(extra);
          out.flush();
        }
      }
    } catch (Exception e) {
      // the client closed on us
    } finally {
      finished.incrementAndGet();
    }
  }

  private void serveStream(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) 'x');
      while (head(in) != null) {
        requests.incrementAndGet();
        long n = streamBytes;
        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + n + "\r\n\r\n"));
        for (long left = n; left > 0; left -= chunk.length) {
          out.write(chunk, 0, (int) Math.min(chunk.length, left));
          bodyBytesSent.addAndGet(Math.min(chunk.length, left));
        }
        out.flush();
      }
    } catch (IOException e) {
      // the client closed on us
    } finally {
      finished.incrementAndGet();
    }
  }

  /** The request line and headers, or null at the end of the stream. Requests here carry no body. */
  private static String head(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      sb.append((char) b);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        return sb.toString();
      }
    }
    return null;
  }

  /** {@code text} in US-ASCII, for scripts. */
  public static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
