package io.tether.netty.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.tether.pool.membership.Discovered;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * When a round with SRV targets looked up on their own is believed: a target that got no address
 * because one of its lookups failed makes the round a failed one; a failed lookup beside one that found
 * addresses, or two answers that found none (the name has no address), do not. The DNS server side is
 * run for real in {@link DnsOutageAndSrvTest}; here each combination of outcomes, which a real server
 * cannot be made to produce on demand (an A query that times out beside an AAAA that answers).
 */
class DnsAnswerTest {

  @Test
  void aTargetWithoutAddressBecauseALookupFailedFailsTheRound() {
    DnsAnswer answer = srvAnswer();
    DnsAnswer.Target t = answer.takeUnresolved().get(0);
    answer.failTarget(t, new TimeoutException("A query timed out"));
    read(answer, t, response(DnsResponseCode.NOERROR));
    assertFalse(answer.ok(), "an A query lost to a timeout says nothing about an IPv4 server");
  }

  @Test
  void aFailedLookupBesideOneThatFoundAnAddressKeepsTheRound() {
    DnsAnswer answer = srvAnswer();
    DnsAnswer.Target t = answer.takeUnresolved().get(0);
    read(answer, t, response(DnsResponseCode.NOERROR, new byte[] {127, 0, 0, 44}));
    answer.failTarget(t, new TimeoutException("AAAA query timed out"));
    assertTrue(answer.ok());
    assertEquals(List.of(new Discovered("127.0.0.44", 9004, 30, 0)), answer.servers(),
        "the target's address with its SRV record's port and weight");
  }

  @Test
  void twoAnswersWithoutAddressAreBelieved() {
    DnsAnswer answer = srvAnswer();
    DnsAnswer.Target t = answer.takeUnresolved().get(0);
    read(answer, t, response(DnsResponseCode.NOERROR));
    read(answer, t, response(DnsResponseCode.NXDOMAIN));
    assertTrue(answer.ok(), "the name has no address: the target is gone, which the round may say");
    assertTrue(answer.servers().isEmpty());
  }

  @Test
  void aServerFailureOnBothLookupsFailsTheRound() {
    DnsAnswer answer = srvAnswer();
    DnsAnswer.Target t = answer.takeUnresolved().get(0);
    read(answer, t, response(DnsResponseCode.SERVFAIL));
    read(answer, t, response(DnsResponseCode.SERVFAIL));
    assertFalse(answer.ok());
  }

  /** An answer to an SRV query naming one target, w4.test:9004 weight 30, with no additional section. */
  private static DnsAnswer srvAnswer() {
    DnsAnswer answer = new DnsAnswer("_http._tcp.svc.test", 0, 1);
    DnsResponse r = new DefaultDnsResponse(1);
    ByteBuf data = Unpooled.buffer();
    data.writeShort(0).writeShort(30).writeShort(9004);
    for (String label : List.of("w4", "test")) {
      data.writeByte(label.length()).writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    data.writeByte(0);
    r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord("_http._tcp.svc.test.", DnsRecordType.SRV, 5, data));
    try {
      answer.read(r);
    } finally {
      r.release();
    }
    return answer;
  }

  private static void read(DnsAnswer answer, DnsAnswer.Target t, DnsResponse r) {
    try {
      answer.readTarget(t, r);
    } finally {
      r.release();
    }
  }

  private static DnsResponse response(DnsResponseCode code, byte[]... addresses) {
    DnsResponse r = new DefaultDnsResponse(2).setCode(code);
    for (byte[] a : addresses) {
      r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord("w4.test.", a.length == 4 ? DnsRecordType.A
          : DnsRecordType.AAAA, 5, Unpooled.wrappedBuffer(a)));
    }
    return r;
  }
}
