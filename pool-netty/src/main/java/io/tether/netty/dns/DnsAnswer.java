package io.tether.netty.dns;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import io.tether.pool.membership.Discovered;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The answers to one round of queries (A and AAAA, or SRV), combined. */
final class DnsAnswer {
  private final String name;
  private final int port;
  int pending;
  final List<Discovered> found = new ArrayList<>();
  long ttl = Long.MAX_VALUE;
  /** The SRV weight (0-65535) of each entry of {@link #found}, in order. */
  final List<Integer> srvWeights = new ArrayList<>();
  boolean anyOk;
  Throwable failure;
  /** SRV targets whose addresses the SRV answer did not carry, to be asked about on their own. */
  private final List<Target> unresolved = new ArrayList<>();
  /** Whether an SRV target's lookups failed and found no address: then the round is not believed. */
  private boolean targetLost;

  DnsAnswer(String name, int port, int pending) {
    this.name = name;
    this.port = port;
    this.pending = pending;
  }

  boolean done() {
    return --pending == 0;
  }

  /**
   * SRV weights are relative, 0-65535; a server's weight is 0-256. Kept as they are when they fit,
   * else scaled so the largest is 256, keeping their ratios and any weight above 0 above 0.
   */
  List<Discovered> servers() {
    if (srvWeights.isEmpty()) {
      return found;
    }
    int max = srvWeights.stream().mapToInt(Integer::intValue).max().orElse(0);
    List<Discovered> out = new ArrayList<>(found.size());
    for (int i = 0; i < found.size(); i++) {
      int w = srvWeights.get(i);
      int scaled = max <= 256 ? w : w == 0 ? 0 : (int) Math.max(1, Math.round(w * 256.0 / max));
      Discovered d = found.get(i);
      out.add(new Discovered(d.host(), d.port(), scaled, d.priority()));
    }
    return out;
  }

  void fail(Throwable cause) {
    failure = cause;
  }

  /**
   * Whether the round can be believed: some query answered, and no SRV target is without an address
   * because a lookup of it failed (a target lost to a timeout would otherwise read as a server gone).
   */
  boolean ok() {
    return anyOk && !targetLost;
  }

  /** The SRV targets this answer carried no address for, taken to be asked about on their own. */
  List<Target> takeUnresolved() {
    List<Target> out = new ArrayList<>(unresolved);
    unresolved.clear();
    return out;
  }

  void read(DnsResponse r) {
    if (!answered(r)) {
      return;
    }
    for (int i = 0; i < r.count(DnsSection.ANSWER); i++) {
      DnsRecord rec = r.recordAt(DnsSection.ANSWER, i);
      if (!(rec instanceof DnsRawRecord raw)) {
        continue; // CNAME and others: the resolver's server followed them for us
      }
      ByteBuf data = raw.content();
      if (isAddress(rec)) {
        InetAddress a = address(raw);
        if (a == null) {
          continue; // not 4 or 16 bytes: a malformed record is skipped
        }
        found.add(new Discovered(a.getHostAddress(), port, 1, 0));
      } else if (rec.type() == DnsRecordType.SRV && data.readableBytes() > 6) {
        int priority = data.getUnsignedShort(data.readerIndex());
        int weight = data.getUnsignedShort(data.readerIndex() + 2);
        int srvPort = data.getUnsignedShort(data.readerIndex() + 4);
        String target = DefaultDnsRecordDecoder.decodeName(data.duplicate().skipBytes(6));
        if (srvPort == 0 || target.equals(".")) {
          continue; // "service not available here" (RFC 2782)
        }
        List<InetAddress> addresses = addressesOf(r, target);
        if (addresses.isEmpty()) {
          unresolved.add(new Target(target, srvPort, weight, priority));
        }
        for (InetAddress a : addresses) {
          addSrv(a, srvPort, weight, priority);
        }
      } else {
        continue;
      }
      ttl = Math.min(ttl, rec.timeToLive());
    }
  }

  /** Reads the answer to an A or AAAA query about an SRV target. */
  void readTarget(Target t, DnsResponse r) {
    if (!answered(r)) {
      t.ended(this, true);
      return;
    }
    for (int i = 0; i < r.count(DnsSection.ANSWER); i++) {
      DnsRecord rec = r.recordAt(DnsSection.ANSWER, i);
      if (rec instanceof DnsRawRecord raw && isAddress(rec)) {
        InetAddress a = address(raw);
        if (a != null) {
          addSrv(a, t.port, t.weight, t.priority);
          ttl = Math.min(ttl, rec.timeToLive());
          t.addresses++;
        }
      }
    }
    t.ended(this, false);
  }

  /** An A or AAAA query about an SRV target failed (timeout, refused). */
  void failTarget(Target t, Throwable cause) {
    failure = cause;
    t.ended(this, true);
  }

  /** Whether the server answered (NOERROR, or NXDOMAIN: the name has no records); else a failure. */
  private boolean answered(DnsResponse r) {
    DnsResponseCode code = r.code();
    if (code != DnsResponseCode.NOERROR && code != DnsResponseCode.NXDOMAIN) {
      failure = new UnknownHostException(name + ": " + code);
      return false;
    }
    anyOk = true;
    return true;
  }

  private void addSrv(InetAddress a, int srvPort, int weight, int priority) {
    srvWeights.add(weight);
    found.add(new Discovered(a.getHostAddress(), srvPort, 1, priority));
  }

  private static boolean isAddress(DnsRecord rec) {
    return rec.type() == DnsRecordType.A || rec.type() == DnsRecordType.AAAA;
  }

  /** The address an A or AAAA record carries; null if it is not 4 or 16 bytes. */
  private static InetAddress address(DnsRawRecord raw) {
    byte[] ip = new byte[raw.content().readableBytes()];
    raw.content().getBytes(raw.content().readerIndex(), ip);
    try {
      return InetAddress.getByAddress(ip);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The target's addresses from the answer's additional section (DNS servers send them with SRV answers). */
  private static List<InetAddress> addressesOf(DnsResponse r, String target) {
    List<InetAddress> out = new ArrayList<>();
    for (int i = 0; i < r.count(DnsSection.ADDITIONAL); i++) {
      DnsRecord rec = r.recordAt(DnsSection.ADDITIONAL, i);
      if (rec instanceof DnsRawRecord raw && rec.name().equalsIgnoreCase(target) && isAddress(rec)) {
        InetAddress a = address(raw);
        if (a != null) {
          out.add(a);
        }
      }
    }
    if (out.isEmpty()) {
      // A target that is itself an IP literal needs no lookup.
      String literal = target.endsWith(".") ? target.substring(0, target.length() - 1) : target;
      byte[] ip = NetUtil.createByteArrayFromIpAddressString(literal);
      if (ip != null) {
        try {
          out.add(InetAddress.getByAddress(ip));
        } catch (UnknownHostException e) {
          // unreachable: the bytes came from a literal
        }
      }
    }
    return out;
  }

  /**
   * An SRV target whose addresses were not in the SRV answer's additional section (servers may leave
   * them out: dnsmasq does for names it forwards or holds as {@code --address}, and caching resolvers
   * often do): its A and AAAA records are asked for before the round ends.
   */
  static final class Target {
    final String name;
    final int port;
    final int weight;
    final int priority;
    /** Its two lookups: how many ended, how many of those failed, how many addresses they found. */
    private int ended;
    private int failures;
    int addresses;

    Target(String name, int port, int weight, int priority) {
      this.name = name;
      this.port = port;
      this.weight = weight;
      this.priority = priority;
    }

    /**
     * One lookup ended. Once both have: a target with no address and a failed lookup is lost (an A query
     * that timed out beside an empty AAAA answer says nothing about an IPv4 server).
     */
    void ended(DnsAnswer answer, boolean failed) {
      ended++;
      if (failed) {
        failures++;
      }
      if (ended == 2 && addresses == 0 && failures > 0) {
        answer.targetLost = true;
      }
    }
  }
}
