package io.tether.netty.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.ConnectionPool;
import io.tether.pool.MembershipChange;
import io.tether.pool.membership.Discovered;
import io.tether.pool.membership.ServerSlots;
import io.tether.pool.spi.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool's servers from DNS, on Netty's own resolver: every A/AAAA address of a name (with a port you
 * give), or every target of an SRV name (ports, weights and priorities from the records). Each address
 * is a server of its own, named by a slot ({@code <prefix>1..N}, see {@link ServerSlots}), so balancing,
 * health checks, affinity and metrics treat it as any configured server.
 *
 * <p>The name is resolved again when the answer's shortest TTL has passed, clamped to {@code
 * [minTtl, maxTtl]}. An address missing from an answer is held for {@code holdObsolete} before its server
 * is removed (a drain: idle connections close, leased ones when released). A failed query (timeout,
 * SERVFAIL, REFUSED) changes nothing: the pool keeps every server it has, however long DNS is down, and
 * the query is retried every {@code minTtl}. An answer that the name does not exist (NXDOMAIN) or has no
 * address is believed only once it has lasted {@code holdNx}. The first failure of a streak is logged at
 * WARN, each membership change at INFO, under {@code io.tether.pool.<pool name>}.
 *
 * <p>Runs on the event loop it is given, with no thread of its own; {@link #close()} stops it and leaves
 * the pool's servers as they are.
 */
public final class DnsDiscovery implements AutoCloseable {
  private final ConnectionPool<?> pool;
  private final EventLoop loop;
  private final String name;
  private final int port;
  private final boolean srv;
  private final long minTtlNanos;
  private final long maxTtlNanos;
  private final long holdNxNanos;
  private final Ticker ticker;
  private final ServerSlots slots;
  private final DnsNameResolver resolver;
  private final InternalLogger log;
  private final CompletableFuture<MembershipChange> first = new CompletableFuture<>();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong empty = new AtomicLong();
  private volatile long lastSuccess = Long.MIN_VALUE;
  private long emptySince = Long.MIN_VALUE;
  private boolean failing;
  private ScheduledFuture<?> next;
  private volatile boolean closed;

  private DnsDiscovery(Builder b) {
    this.pool = b.pool;
    this.loop = b.loop;
    this.name = b.name;
    this.port = b.port;
    this.srv = b.srv;
    this.minTtlNanos = b.minTtl.toNanos();
    this.maxTtlNanos = b.maxTtl.toNanos();
    this.holdNxNanos = b.holdNx.toNanos();
    this.ticker = b.ticker;
    this.slots = new ServerSlots(pool, b.prefix, b.maxServers, b.holdObsolete);
    this.log = InternalLoggerFactory.getInstance("io.tether.pool." + pool.config().name());
    DnsNameResolverBuilder rb = new DnsNameResolverBuilder(loop)
        .datagramChannelType(datagramChannelType(loop))
        .resolveCache(NoopDnsCache.INSTANCE) // every query goes out: the TTLs are ours to honour
        .queryTimeoutMillis(b.queryTimeout.toMillis())
        .maxQueriesPerResolve(1)
        .recursionDesired(true);
    rb.nameServerProvider(b.nameServer != null ? new SingletonDnsServerAddressStreamProvider(b.nameServer)
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
      return io.netty.channel.socket.nio.NioDatagramChannel.class;
    }
  }

  /**
   * Discovery of {@code pool}'s servers, resolving on {@code loop}.
   *
   * @param pool the pool whose servers follow DNS (usually built with no servers of its own)
   * @param loop the event loop the resolver and the timer run on
   * @return a builder
   */
  public static Builder builder(ConnectionPool<?> pool, EventLoop loop) {
    return new Builder(pool, loop);
  }

  /**
   * Resolves now and keeps resolving until {@link #close()}.
   *
   * @return completes with the first answer's changes once applied; fails if the first query fails
   *     (discovery goes on trying)
   */
  public CompletableFuture<MembershipChange> start() {
    loop.execute(this::resolve);
    return first;
  }

  private void resolve() {
    if (closed) {
      return;
    }
    List<Future<AddressedEnvelope<DnsResponse, InetSocketAddress>>> queries = new ArrayList<>();
    if (srv) {
      queries.add(resolver.query(new DefaultDnsQuestion(name, DnsRecordType.SRV)));
    } else {
      queries.add(resolver.query(new DefaultDnsQuestion(name, DnsRecordType.A)));
      queries.add(resolver.query(new DefaultDnsQuestion(name, DnsRecordType.AAAA)));
    }
    Answer answer = new Answer(queries.size());
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
          settle(answer);
        }
      });
    }
  }

  /** The answers to one round of queries (A and AAAA, or SRV), combined. */
  private final class Answer {
    int pending;
    final List<Discovered> found = new ArrayList<>();
    long ttl = Long.MAX_VALUE;
    /** The SRV weight (0-65535) of each entry of {@link #found}, in order. */
    final List<Integer> srvWeights = new ArrayList<>();
    boolean anyOk;
    Throwable failure;

    Answer(int pending) {
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
      byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(literal);
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

  private void settle(Answer a) {
    if (closed) {
      return;
    }
    try {
      apply(a);
    } catch (io.tether.pool.PoolClosedException e) {
      first.completeExceptionally(e);
      close(); // the pool is gone, and with it the reason to resolve
    }
  }

  private void apply(Answer a) {
    long now = ticker.read();
    long delay;
    if (!a.anyOk) {
      failed.incrementAndGet();
      if (!failing) {
        failing = true;
        log.warn("pool {}: DNS {} failed, keeping the {} servers found before: {}", pool.config().name(), name,
            slots.current().size(), String.valueOf(a.failure));
      }
      first.completeExceptionally(a.failure != null ? a.failure : new UnknownHostException(name));
      delay = minTtlNanos;
      apply(slots.expire(now));
    } else {
      if (failing) {
        failing = false;
        log.info("pool {}: DNS {} answers again", pool.config().name(), name);
      }
      lastSuccess = now;
      if (a.found.isEmpty()) {
        empty.incrementAndGet();
        if (emptySince == Long.MIN_VALUE) {
          emptySince = now;
        }
        // NXDOMAIN or no address: believed only once it lasted hold-nx, so a bad answer empties nothing.
        MembershipChange c = now - emptySince >= holdNxNanos ? slots.offer(List.of(), now) : slots.expire(now);
        apply(c);
        first.complete(c);
        delay = minTtlNanos;
      } else {
        ok.incrementAndGet();
        emptySince = Long.MIN_VALUE;
        MembershipChange c = slots.offer(a.servers(), now);
        apply(c);
        first.complete(c);
        delay = Math.min(maxTtlNanos, Math.max(minTtlNanos, TimeUnit.SECONDS.toNanos(a.ttl)));
      }
    }
    long expiry = slots.nextExpiry();
    if (expiry != Long.MAX_VALUE) {
      delay = Math.max(0, Math.min(delay, expiry - now));
    }
    next = loop.schedule(this::resolve, delay, TimeUnit.NANOSECONDS);
  }

  private void apply(MembershipChange c) {
    if (!c.isEmpty()) {
      log.info("pool {}: DNS {}: added {}, removed {}, re-weighted {}; now {}", pool.config().name(), name,
          c.added(), c.removed(), c.reweighted(), slots.current().keySet());
    }
    if (slots.overflowed()) {
      log.warn("pool {}: DNS {} gave more addresses than max-servers; the extra ones are not used",
          pool.config().name(), name);
    }
  }

  /**
   * {@return Micrometer meters for this discovery: {@code tether.pool.dns.resolutions{pool, result}} and
   * {@code tether.pool.dns.answer.age{pool}}; bind them with {@code bindTo(registry)}}
   */
  public io.tether.pool.metrics.micrometer.DiscoveryMeters meters() {
    return new io.tether.pool.metrics.micrometer.DiscoveryMeters(pool.config().name(), ok::get, empty::get,
        failed::get, () -> {
          Duration since = sinceLastAnswer();
          return since == null ? Double.NaN : since.toNanos() / 1e9;
        });
  }

  /** {@return the servers by slot name as last applied} */
  public java.util.Map<String, Discovered> servers() {
    return slots.current();
  }

  /** {@return answers with at least one address} */
  public long resolutionsOk() {
    return ok.get();
  }

  /** {@return queries that failed (timeout, SERVFAIL, REFUSED, no answer)} */
  public long resolutionsFailed() {
    return failed.get();
  }

  /** {@return answers with no address (NXDOMAIN or empty)} */
  public long resolutionsEmpty() {
    return empty.get();
  }

  /** {@return time since the last answer, or null before the first} */
  public Duration sinceLastAnswer() {
    long t = lastSuccess;
    return t == Long.MIN_VALUE ? null : Duration.ofNanos(ticker.read() - t);
  }

  /** Stops resolving; the pool keeps the servers it has. */
  @Override
  public void close() {
    closed = true;
    Runnable stop = () -> {
      ScheduledFuture<?> n = next;
      if (n != null) {
        n.cancel(false);
      }
      resolver.close();
    };
    if (!io.tether.netty.internal.Loops.run(loop, stop)) {
      stop.run(); // the loop has shut down: nothing of ours runs there any more
    }
  }

  /** Settings of a {@link DnsDiscovery}. Not thread-safe. */
  public static final class Builder {
    private final ConnectionPool<?> pool;
    private final EventLoop loop;
    private String name;
    private int port;
    private boolean srv;
    private InetSocketAddress nameServer;
    private String prefix;
    private int maxServers = 64;
    private Duration minTtl = Duration.ofSeconds(1);
    private Duration maxTtl = Duration.ofMinutes(5);
    private Duration holdObsolete = Duration.ofSeconds(30);
    private Duration holdNx = Duration.ofSeconds(30);
    private Duration queryTimeout = Duration.ofSeconds(2);
    private Ticker ticker = Ticker.system();

    private Builder(ConnectionPool<?> pool, EventLoop loop) {
      this.pool = Objects.requireNonNull(pool, "pool");
      this.loop = Objects.requireNonNull(loop, "loop");
    }

    /**
     * Every A and AAAA address of {@code host}, each a server on {@code port}, weight 1.
     *
     * @param host the DNS name
     * @param port the servers' port, 1-65535
     * @return this builder
     */
    public Builder addresses(String host, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " (expected: 1-65535)");
      }
      this.name = Objects.requireNonNull(host, "host");
      this.port = port;
      this.srv = false;
      return this;
    }

    /**
     * Every target of the SRV name {@code service} (such as {@code _http._tcp.api.example.}), with the
     * records' ports, weights (as they are when all fit in 0-256, else scaled so the largest is 256) and
     * priorities (the lowest is the primary tier).
     *
     * @param service the SRV name
     * @return this builder
     */
    public Builder srv(String service) {
      this.name = Objects.requireNonNull(service, "service");
      this.srv = true;
      return this;
    }

    /**
     * Takes a backend's {@code server-template ... resolvers} line from haproxy.cfg ({@link
     * io.tether.pool.haproxy.HaproxyConfig#discovery}): the name (A/AAAA with its port, or SRV), the
     * prefix and server count, the first {@code nameserver}, and the timings: resolved every {@code
     * timeout resolve} up to {@code hold valid} (the TTL in between), {@code hold obsolete}, {@code hold
     * nx}, and {@code timeout retry} per query.
     *
     * @param t the template
     * @return this builder
     */
    public Builder apply(io.tether.pool.haproxy.DnsTemplate t) {
      if (t.srv()) {
        srv(t.name());
      } else {
        addresses(t.name(), t.port());
      }
      slotPrefix(t.prefix());
      maxServers(t.servers());
      if (!t.nameServers().isEmpty()) {
        nameServer(t.nameServers().get(0));
      }
      Duration min = t.resolveEvery().compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : t.resolveEvery();
      ttlBounds(min, t.holdValid().compareTo(min) < 0 ? min : t.holdValid());
      holdObsolete(t.holdObsolete());
      holdNx(t.holdNx());
      queryTimeout(t.queryTimeout().isZero() ? Duration.ofSeconds(1) : t.queryTimeout());
      return this;
    }

    /**
     * Takes the settings of a pool's {@code tether.pool.discovery.*} keys ({@link io.tether.pool.PoolConfig#discovery()}):
     * the name (A/AAAA with its port, or SRV), the resolver if given, the prefix if given, the slot count,
     * the TTL bounds, both holds and the query timeout. A {@code TetherChannelPool} or {@code
     * TetherHttpClient} built from such a config does this itself.
     *
     * @param d the settings; must be {@link io.tether.pool.Discovery#enabled()}
     * @return this builder
     * @throws IllegalArgumentException if {@code d} names no DNS name
     */
    public Builder apply(io.tether.pool.Discovery d) {
      if (!d.enabled()) {
        throw new IllegalArgumentException("no tether.pool.discovery.dns or tether.pool.discovery.dns-srv given");
      }
      if (d.srv()) {
        srv(d.name());
      } else {
        addresses(d.name(), d.port());
      }
      if (d.resolver() != null) {
        nameServer(d.resolver());
      }
      if (d.prefix() != null) {
        slotPrefix(d.prefix());
      }
      maxServers(d.maxServers());
      ttlBounds(d.ttlMin(), d.ttlMax());
      holdObsolete(d.holdObsolete());
      holdNx(d.holdNx());
      queryTimeout(d.queryTimeout());
      return this;
    }

    /**
     * The DNS server to ask; default the platform's ({@code /etc/resolv.conf}).
     *
     * @param value its address
     * @return this builder
     */
    public Builder nameServer(InetSocketAddress value) {
      this.nameServer = Objects.requireNonNull(value, "nameServer");
      return this;
    }

    /**
     * Server names are this prefix and a slot number, as HAProxy's {@code server-template}; default the
     * DNS name's first label.
     *
     * @param value 1-32 of {@code [A-Za-z0-9._-]}
     * @return this builder
     */
    public Builder slotPrefix(String value) {
      if (!value.matches("[A-Za-z0-9._-]{1,32}")) {
        throw new IllegalArgumentException("slot prefix " + value + " (expected: 1-32 of A-Z a-z 0-9 . _ -)");
      }
      this.prefix = value;
      return this;
    }

    /**
     * Most servers at once (the slot count); default 64.
     *
     * @param value 1-10000
     * @return this builder
     */
    public Builder maxServers(int value) {
      if (value < 1 || value > 10_000) {
        throw new IllegalArgumentException("max servers " + value + " (expected: 1-10000)");
      }
      this.maxServers = value;
      return this;
    }

    /**
     * Bounds on the time between resolutions, which is otherwise the answer's TTL; default 1s and 5m.
     *
     * @param min the shortest, at least 100ms (also the retry time after a failure)
     * @param max the longest, at least {@code min}
     * @return this builder
     */
    public Builder ttlBounds(Duration min, Duration max) {
      if (min.compareTo(Duration.ofMillis(100)) < 0 || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("TTL bounds " + min + ".." + max + " (expected: 100ms <= min <= max)");
      }
      this.minTtl = min;
      this.maxTtl = max;
      return this;
    }

    /**
     * How long an address missing from answers keeps its server (HAProxy's {@code hold obsolete});
     * default 30s.
     *
     * @param value 0 or more
     * @return this builder
     */
    public Builder holdObsolete(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("hold obsolete " + value + " (expected: 0 or more)");
      }
      this.holdObsolete = value;
      return this;
    }

    /**
     * How long an NXDOMAIN or empty answer must last before it empties the pool (HAProxy's {@code hold
     * nx}); default 30s.
     *
     * @param value 0 or more
     * @return this builder
     */
    public Builder holdNx(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("hold nx " + value + " (expected: 0 or more)");
      }
      this.holdNx = value;
      return this;
    }

    /**
     * Limit on one query; default 2s.
     *
     * @param value 1ms or more
     * @return this builder
     */
    public Builder queryTimeout(Duration value) {
      if (value.toMillis() < 1) {
        throw new IllegalArgumentException("query timeout " + value + " (expected: 1ms or more)");
      }
      this.queryTimeout = value;
      return this;
    }

    /**
     * The clock for TTLs and holds; default the system's. Tests use the pool's fake ticker.
     *
     * @param value the ticker
     * @return this builder
     */
    public Builder ticker(Ticker value) {
      this.ticker = Objects.requireNonNull(value, "ticker");
      return this;
    }

    /**
     * {@return the discovery, not started}
     *
     * @throws IllegalStateException if neither {@link #addresses} nor {@link #srv} was given
     */
    public DnsDiscovery build() {
      if (name == null) {
        throw new IllegalStateException("give addresses(host, port) or srv(name)");
      }
      if (prefix == null) {
        String label = name.replaceFirst("^_[^.]*\\._[^.]*\\.", "").split("\\.")[0];
        prefix = label.replaceAll("[^A-Za-z0-9._-]", "").isEmpty() ? "dns" : label.replaceAll("[^A-Za-z0-9._-]", "");
      }
      return new DnsDiscovery(this);
    }
  }
}
