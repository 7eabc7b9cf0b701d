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

  void read(DnsResponse r) {
    DnsResponseCode code = r.code();
    if (code != DnsResponseCode.NOERROR && code != DnsResponseCode.NXDOMAIN) {
      failure = new UnknownHostException(name + ": " + code);
      return;
    }
    anyOk = true;
    for (int i = 0; i < r.count(DnsSection.ANSWER); i++) {
      DnsRecord rec = r.recordAt(DnsSection.ANSWER, i);
      if (!(rec instanceof DnsRawRecord raw)) {
        continue; // CNAME and others: the resolver's server followed them for us
      }
      ByteBuf data = raw.content();
      if (rec.type() == DnsRecordType.A || rec.type() == DnsRecordType.AAAA) {
        byte[] ip = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), ip);
        try {
          found.add(new Discovered(InetAddress.getByAddress(ip).getHostAddress(), port, 1, 0));
        } catch (UnknownHostException e) {
          continue; // not 4 or 16 bytes: a malformed record is skipped
        }
      } else if (rec.type() == DnsRecordType.SRV && data.readableBytes() > 6) {
        int priority = data.getUnsignedShort(data.readerIndex());
        int weight = data.getUnsignedShort(data.readerIndex() + 2);
        int srvPort = data.getUnsignedShort(data.readerIndex() + 4);
        String target = DefaultDnsRecordDecoder.decodeName(data.duplicate().skipBytes(6));
        if (srvPort == 0 || target.equals(".")) {
          continue; // "service not available here" (RFC 2782)
        }
        for (InetAddress a : addressesOf(r, target)) {
          srvWeights.add(weight);
          found.add(new Discovered(a.getHostAddress(), srvPort, 1, priority));
        }
      } else {
        continue;
      }
      ttl = Math.min(ttl, rec.timeToLive());
    }
  }

  /** The target's addresses from the answer's additional section (DNS servers send them with SRV answers). */
  private static List<InetAddress> addressesOf(DnsResponse r, String target) {
    List<InetAddress> out = new ArrayList<>();
    for (int i = 0; i < r.count(DnsSection.ADDITIONAL); i++) {
      DnsRecord rec = r.recordAt(DnsSection.ADDITIONAL, i);
      if (rec instanceof DnsRawRecord raw && rec.name().equalsIgnoreCase(target)
          && (rec.type() == DnsRecordType.A || rec.type() == DnsRecordType.AAAA)) {
        byte[] ip = new byte[raw.content().readableBytes()];
        raw.content().getBytes(raw.content().readerIndex(), ip);
        try {
          out.add(InetAddress.getByAddress(ip));
        } catch (UnknownHostException e) {
          // malformed: skipped
        }
      }
    }
    if (out.isEmpty()) {
      // No address for the target in the answer: only a target that is itself an IP literal is used
      // (looking a name up here would block the event loop).
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
}
