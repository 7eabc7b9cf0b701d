package io.tether.bench.demo;

import io.tether.bench.report.Table;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The demo behind the README's first command: the three failures of ../shared/SCENARIOS.md, against a
 * real HAProxy and real Netty servers on loopback, and a scale-out through a real DNS server, once with
 * Netty's own pool and plain handlers and once with Tether, summed up in one table. Everything it starts it stops; it exits 0 unless something
 * it needs is missing.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    // Logs go through SLF4J to java.util.logging here: one line each, warnings and up (a server going
    // DOWN is one), none of Netty's INFO chatter.
    System.setProperty("java.util.logging.SimpleFormatter.format", "  log %4$s: %5$s%6$s%n");
    Logger.getLogger("").setLevel(Level.WARNING);
    Progress progress = new Progress(System.out);
    long start = System.nanoTime();
    System.out.println("Tether demo: HAProxy " + haproxyVersion() + " on 127.0.0.1, Netty backends on "
        + "127.0.0.29 and 127.0.0.38\n");

    IdleReaping.Outcome naive1 = IdleReaping.run(false, progress);
    IdleReaping.Outcome tether1 = IdleReaping.run(true, progress);
    ResetNoise.Outcome naive2 = ResetNoise.run(false, progress);
    ResetNoise.Outcome tether2 = ResetNoise.run(true, progress);
    Failover.Outcome naive3 = Failover.run(false, progress);
    Failover.Outcome tether3 = Failover.run(true, progress);
    ScaleOut.Outcome naive4 = ScaleOut.run(false, progress);
    ScaleOut.Outcome tether4 = ScaleOut.run(true, progress);

    Table t = new Table("", "requests", "failed", "resets reaching handlers", "failover of a pinned session",
        "scale-out 1 -> 3 servers");
    t.row("Netty's pool, plain handlers", naive1.requests(), naive1.failures(), naive2.reachedHandlers(),
        failover(naive3), scaleOut(naive4));
    t.row("Tether", tether1.requests(), tether1.failures(),
        tether2.reachedHandlers() + " (" + tether2.counted() + " counted)", failover(tether3), scaleOut(tether4));
    System.out.println();
    System.out.print(t);
    System.out.printf("%nrequests/failed: %d callers, rounds %d ms apart +-5%%, HAProxy timeout client/server %d ms.%n"
            + "resets: %d s of HAProxy health checks (option httpchk, inter 200) on a Netty 4 and a Netty 3 server.%n"
            + "failover: iptables DROP on the backend a long session is pinned to; HAProxy mode tcp with default "
            + "settings vs Tether's%nclient-side checks (inter 200 fall 1 rise 1, connect and check timeouts 40 ms, on-marked-down "
            + "shutdown-sessions).%n"
            + "scale-out: %d callers on keep-alive connections to a DNS name (dnsmasq, TTL 1 s) that goes from 1 to 3 "
            + "servers;%nthe new servers' share of the last %d s of requests (fair: 67%%), and when each server first "
            + "had half its share.%n",
        IdleReaping.CALLERS, IdleReaping.TIMEOUT_MS, IdleReaping.TIMEOUT_MS, ResetNoise.SECONDS, ScaleOut.CALLERS,
        ScaleOut.WINDOW_MS / 1000);
    System.out.printf("done in %d s%n", (System.nanoTime() - start) / 1_000_000_000L);
  }

  private static String scaleOut(ScaleOut.Outcome o) {
    if (o.skipped() != null) {
      return "skipped: " + o.skipped();
    }
    return o.newShare() + "% on the new ones, " + (o.balancedMs() < 0 ? "never balanced" : "balanced in "
        + o.balancedMs() + " ms") + (o.failed() == 0 ? "" : ", " + o.failed() + " failed");
  }

  private static String failover(Failover.Outcome o) {
    if (o.skipped()) {
      return "skipped: needs root and iptables";
    }
    return o.millis() < 0 ? "hung (> " + Failover.GIVE_UP.toSeconds() + " s)" : o.millis() + " ms";
  }

  private static String haproxyVersion() {
    try {
      Process p = new ProcessBuilder(io.tether.netty.testing.Haproxy.binary(), "-v").redirectErrorStream(true).start();
      String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
      p.waitFor();
      String[] words = first.split(" ");
      return words.length > 2 ? words[2] : first;
    } catch (Exception e) {
      return "(version unknown)";
    }
  }
}
