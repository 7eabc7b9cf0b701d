package io.tether.netty.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One client connection speaking HTTP/1.1 by hand, so a test knows exactly which requests share a
 * connection (no pool, no client library deciding for it). Reads a response framed by {@code
 * Content-Length}, or up to end of stream without one.
 */
public final class RawHttpConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** What came back: status, headers (names lower-cased) and body as text. */
  public record Response(int status, Map<String, String> headers, String body) {
    /** Whether the response says the connection ends after it. */
    public boolean saysClose() {
      return "close".equalsIgnoreCase(headers.get("connection"));
    }
  }

  public RawHttpConnection(String host, int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 2000);
    socket.setSoTimeout(10_000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Sends {@code GET path} with {@code extraHeaders} ("Name: value" each) and reads the response. */
  public Response get(String path, String... extraHeaders) throws IOException {
    StringBuilder req = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: test\r\n");
    for (String h : extraHeaders) {
      req.append(h).append("\r\n");
    }
    out.write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return read();
  }

  private Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /** Whether the peer has closed: a read returns end of stream within {@code millis}. */
  public boolean closedByPeerWithin(int millis) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } finally {
      socket.setSoTimeout(before);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
