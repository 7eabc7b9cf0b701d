package io.tether.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.netty.internal.Loops;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Discovery;
import io.tether.pool.MembershipChange;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.DnsTemplate;
import io.tether.pool.haproxy.HaproxyConfig;
import io.tether.pool.membership.Discovered;
import io.tether.pool.membership.ServerSlots;
import io.tether.pool.metrics.micrometer.DiscoveryMeters;
import io.tether.pool.spi.Ticker;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
  private final DnsQueries queries;
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
    this.queries = new DnsQueries(loop, b.nameServer, b.queryTimeout);
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
    queries.ask(name, port, srv, this::settle);
  }

  private void settle(DnsAnswer a) {
    if (closed) {
      return;
    }
    try {
      apply(a);
    } catch (PoolClosedException e) {
      first.completeExceptionally(e);
      close(); // the pool is gone, and with it the reason to resolve
    }
  }

  private void apply(DnsAnswer a) {
    long now = ticker.read();
    long delay;
    if (!a.ok()) {
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
  public DiscoveryMeters meters() {
    return new DiscoveryMeters(pool.config().name(), ok::get, empty::get,
        failed::get, () -> {
          Duration since = sinceLastAnswer();
          return since == null ? Double.NaN : since.toNanos() / 1e9;
        });
  }

  /** {@return the servers by slot name as last applied} */
  public Map<String, Discovered> servers() {
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
      queries.close();
    };
    if (!Loops.run(loop, stop)) {
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
     * HaproxyConfig#discovery}): the name (A/AAAA with its port, or SRV), the
     * prefix and server count, the first {@code nameserver}, and the timings: resolved every {@code
     * timeout resolve} up to {@code hold valid} (the TTL in between), {@code hold obsolete}, {@code hold
     * nx}, and {@code timeout retry} per query.
     *
     * @param t the template
     * @return this builder
     */
    public Builder apply(DnsTemplate t) {
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
     * Takes the settings of a pool's {@code tether.pool.discovery.*} keys ({@link PoolConfig#discovery()}):
     * the name (A/AAAA with its port, or SRV), the resolver if given, the prefix if given, the slot count,
     * the TTL bounds, both holds and the query timeout. A {@code TetherChannelPool} or {@code
     * TetherHttpClient} built from such a config does this itself.
     *
     * @param d the settings; must be {@link Discovery#enabled()}
     * @return this builder
     * @throws IllegalArgumentException if {@code d} names no DNS name
     */
    public Builder apply(Discovery d) {
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
