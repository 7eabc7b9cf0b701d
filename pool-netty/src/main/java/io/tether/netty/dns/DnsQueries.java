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
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
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
   * combined answer to {@code done} on the event loop once every query has answered or failed.
   */
  void ask(String name, int port, boolean srv, Consumer<DnsAnswer> done) {
    List<Future<AddressedEnvelope<DnsResponse, InetSocketAddress>>> queries = new ArrayList<>();
    if (srv) {
      queries.add(resolver.query(new DefaultDnsQuestion(name, DnsRecordType.SRV)));
    } else {
      queries.add(resolver.query(new DefaultDnsQuestion(name, DnsRecordType.A)));
      queries.add(resolver.query(new DefaultDnsQuestion(name, DnsRecordType.AAAA)));
    }
    DnsAnswer answer = new DnsAnswer(name, port, queries.size());
    for (Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> q : queries) {
      q.addListener(f -> {
        if (f.isSuccess()) {
          @SuppressWarnings("unchecked")
          AddressedEnvelope<DnsResponse, InetSocketAddress> env = (AddressedEnvelope<DnsResponse, InetSocketAddress>) f.getNow();
          try {
            answer.read(env.content());
          } finally {
            env.release();
          }
        } else {
          answer.fail(f.cause());
        }
        if (answer.done()) {
          done.accept(answer);
        }
      });
    }
  }

  /** Closes the resolver's channel; on the event loop, or after it has shut down. */
  void close() {
    resolver.close();
  }
}
