package io.tether.netty.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for a test with {@code openssl}: a CA, and server certificates it signs for chosen
 * names, as PEM files HAProxy's {@code bind ... ssl crt} takes (certificate then key).
 */
public final class TestCerts {
  public final Path dir;

  private TestCerts(Path dir) {
    this.dir = dir;
  }

  /** A fresh CA in a temporary directory. */
  public static TestCerts newCa(String name) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tether-certs");
    TestCerts c = new TestCerts(dir);
    c.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-days", "2", "-subj", "/CN=" + name);
    return c;
  }

  /** The CA certificate, for a client's trust manager. */
  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  /** A server certificate signed by this CA for {@code subjectAltNames} (e.g. "IP:127.0.0.1"); returns the PEM. */
  public Path server(String name, String... subjectAltNames) throws IOException, InterruptedException {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + String.join(",", subjectAltNames) + "\n");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    Path pem = dir.resolve(name + ".pem");
    Files.writeString(pem, Files.readString(dir.resolve(name + ".crt")) + Files.readString(dir.resolve(name + ".key")));
    return pem;
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
    }
  }
}
