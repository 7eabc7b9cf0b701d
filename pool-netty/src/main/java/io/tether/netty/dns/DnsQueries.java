package io.tether.netty.dns;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The wire side of {@link DnsDiscovery}: Netty's resolver on the discovery's event loop, asked one round
 * of questions at a time (A and AAAA, or SRV) with no cache, since the TTLs are the discovery's to honour.
 * Event-loop confined.
 */
final class DnsQueries {
  private final DnsNameResolver resolver;

  DnsQueries(EventLoop loop, InetSocketAddress nameServer, Duration queryTimeout) {
    DnsNameResolverBuilder rb = new DnsNameResolverBuilder(loop)
        .datagramChannelType(datagramChannelType(loop))
        .resolveCache(NoopDnsCache.INSTANCE) // every query goes out: the TTLs are ours to honour
        .queryTimeoutMillis(queryTimeout.toMillis())
        .maxQueriesPerResolve(1)
        .recursionDesired(true);
    rb.nameServerProvider(nameServer != null ? new SingletonDnsServerAddressStreamProvider(nameServer)
        : DnsServerAddressStreamProviders.platformDefault());
    this.resolver = rb.build();
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends DatagramChannel> datagramChannelType(EventLoop loop) {
    // The datagram channel of the loop's transport: NIO unless the loop is epoll's.
    String type = loop.getClass().getName().contains("Epoll")
        ? "io.netty.channel.epoll.EpollDatagramChannel" : "io.netty.channel.socket.nio.NioDatagramChannel";
    try {
      return (Class<? extends DatagramChannel>) Class.forName(type);
    } catch (ClassNotFoundException e) {
      return NioDatagramChannel.class;
    }
  }

  /**
   * Asks about {@code name} (its SRV records, or its A and AAAA records with {@code port}) and hands the
   * combined answer to {@code done} on the event loop once every query has answered or failed. SRV
   * targets the SRV answer carried no address for are asked about in the same round.
   */
  void ask(String name, int port, boolean srv, Consumer<DnsAnswer> done) {
    DnsAnswer answer = new DnsAnswer(name, port, srv ? 1 : 2);
    if (srv) {
      query(name, DnsRecordType.SRV, answer, r -> {
        answer.read(r);
        askTargets(answer, done);
      }, null, done);
    } else {
      query(name, DnsRecordType.A, answer, answer::read, null, done);
      query(name, DnsRecordType.AAAA, answer, answer::read, null, done);
    }
  }

  /** The A and AAAA records of the SRV targets left unresolved; the round's count grows before any is sent. */
  private void askTargets(DnsAnswer answer, Consumer<DnsAnswer> done) {
    List<DnsAnswer.Target> targets = answer.takeUnresolved();
    answer.pending += 2 * targets.size();
    for (DnsAnswer.Target t : targets) {
      query(t.name, DnsRecordType.A, answer, r -> answer.readTarget(t, r), t, done);
      query(t.name, DnsRecordType.AAAA, answer, r -> answer.readTarget(t, r), t, done);
    }
  }

  private void query(String name, DnsRecordType type, DnsAnswer answer, Consumer<DnsResponse> read,
      DnsAnswer.Target target, Consumer<DnsAnswer> done) {
    resolver.query(new DefaultDnsQuestion(name, type)).addListener(f -> {
      if (f.isSuccess()) {
        @SuppressWarnings("unchecked")
        AddressedEnvelope<DnsResponse, InetSocketAddress> env = (AddressedEnvelope<DnsResponse, InetSocketAddress>) f.getNow();
        try {
          read.accept(env.content());
        } finally {
          env.release();
        }
      } else if (target != null) {
        answer.failTarget(target, f.cause());
      } else {
        answer.fail(f.cause());
      }
      if (answer.done()) {
        done.accept(answer);
      }
    });
  }

  /** Closes the resolver's channel; on the event loop, or after it has shut down. */
  void close() {
    resolver.close();
  }
}
