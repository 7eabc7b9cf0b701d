package io.tether.netty.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Black-holes a backend the way the field report did: {@code iptables -A OUTPUT -d <host> -p tcp
 * --dport <port> -j DROP}, so packets to it vanish and nothing answers, not even an RST. Only loopback
 * addresses are accepted; every rule carries the comment {@code tether-test} and is removed by {@link
 * Rule#close()}, and {@link #removeLeftovers()} clears any a killed test run left behind.
 */
public final class Iptables {
  private static final String COMMENT = "tether-test";

  private Iptables() {}

  /** A DROP rule in place; closing removes it. */
  public static final class Rule implements AutoCloseable {
    private final List<String> spec;

    private Rule(List<String> spec) {
      this.spec = spec;
    }

    @Override
    public void close() {
      run("-D", spec);
    }
  }

  /** Drops every TCP packet sent to {@code host:port} until the returned rule is closed. */
  public static Rule drop(String host, int port) {
    if (!host.startsWith("127.")) {
      throw new IllegalArgumentException("tests only black-hole loopback addresses, not " + host);
    }
    List<String> spec = List.of("OUTPUT", "-d", host, "-p", "tcp", "--dport", Integer.toString(port),
        "-m", "comment", "--comment", COMMENT, "-j", "DROP");
    run("-A", spec);
    return new Rule(spec);
  }

  /** Removes rules a previous, killed run may have left. */
  public static void removeLeftovers() {
    for (String line : output(List.of("-S", "OUTPUT"))) {
      if (line.startsWith("-A OUTPUT") && line.contains(COMMENT)) {
        List<String> args = new ArrayList<>(List.of(line.substring(3).replace("\"", "").split(" ")));
        run("-D", args);
      }
    }
  }

  private static String binary() {
    for (String p : new String[] {"/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables"}) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError("iptables is not installed: run the README's test command (bash scripts/test.sh "
        + "installs it as root) or apt-get install iptables");
  }

  private static void run(String op, List<String> spec) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.add(op);
    cmd.addAll(spec);
    String out = exec(cmd);
    if (out != null) {
      throw new AssertionError("iptables " + op + " failed (the failover tests need root and iptables): " + out);
    }
  }

  private static List<String> output(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return List.of(text.split("\n"));
    } catch (IOException e) {
      throw new AssertionError("cannot run iptables", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Runs {@code cmd}; null on success, else its output. */
  private static String exec(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "timed out: " + cmd;
      }
      return p.exitValue() == 0 ? null : String.join(" ", cmd) + " -> exit " + p.exitValue() + ": " + text.trim();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }
}
