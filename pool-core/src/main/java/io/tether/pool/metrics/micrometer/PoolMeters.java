package io.tether.pool.metrics.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.metrics.MeterName;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A pool's health in Micrometer: pass one to the pool's builder ({@code .metrics(new
 * PoolMeters(registry))}) and every meter of {@link MeterName} with the {@code tether.pool} prefix is
 * registered when the pool starts and removed when it closes. One instance per pool.
 *
 * <p>Gauges are pulled from the pool's snapshot when the registry reads them; counters and timers are
 * pushed by the pool as events happen, from the thread of the event. With metrics on, each lease also
 * reads the clock once, to record how long the connection had been idle.
 *
 * <p>Tags: {@code pool}, {@code server} (the endpoint name, never its address or port), {@code state},
 * {@code cause}, {@code outcome}, {@code phase}, {@code reason}, {@code to}; plus any common tags given
 * here.
 */
public final class PoolMeters implements PoolMetricsRecorder {
  private static final Duration[] IDLE_AGE_BUCKETS = {Duration.ofMillis(100), Duration.ofSeconds(1),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
      Duration.ofMinutes(5), Duration.ofMinutes(10)};
  private static final Duration[] AGE_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(10),
      Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1)};

  private final MeterRegistry registry;
  private final Tags common;
  private final List<Meter> meters = new ArrayList<>();
  private final Map<String, ServerMeters> servers = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<CloseCause, Timer> ageByCause = new EnumMap<>(CloseCause.class);
  private final Map<String, Counter> retries = new HashMap<>();
  private volatile Counter retriesRefused;
  private Tags poolTags;
  /** Held here because Micrometer gauges hold their state weakly; the pool holds this recorder. */
  private Supplier<PoolStats> stats;
  private Timer acquire;
  private Timer idleAge;
  private Counter acquireTimeouts;
  private Counter acquireRejected;

  /**
   * Meters in {@code registry}, tagged with the pool's name.
   *
   * @param registry the registry to register meters in
   */
  public PoolMeters(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * Meters in {@code registry} with {@code commonTags} added to each (keep them low-cardinality).
   *
   * @param registry the registry to register meters in
   * @param commonTags tags added to every meter
   */
  public PoolMeters(MeterRegistry registry, Iterable<Tag> commonTags) {
    this.registry = registry;
    this.common = Tags.of(commonTags);
  }

  /** Every meter, created up front so that recording is a field read and an add. */
  private static final class ServerMeters {
    Counter created;
    Timer connectOk;
    Timer connectFailed;
    Counter resetIdle;
    Counter resetInFlight;
    Counter leaks;
    final Map<CloseCause, Counter> closed = new EnumMap<>(CloseCause.class);
    final Map<ServerState, Counter> transitions = new EnumMap<>(ServerState.class);
    final List<Meter> meters = new ArrayList<>();
  }

  @Override
  public synchronized void poolStarted(String pool, Supplier<PoolStats> stats) {
    this.stats = stats;
    poolTags = common.and("pool", pool);
    for (String state : List.of("idle", "leased", "connecting")) {
      gauge(MeterName.CONNECTIONS, poolTags.and("state", state), stats, s -> byState(s, state));
    }
    gauge(MeterName.PENDING, poolTags, stats, PoolStats::pending);
    gauge(MeterName.MAX_CONNECTIONS, poolTags, stats, PoolStats::maxConnections);
    gauge(MeterName.MAX_PENDING, poolTags, stats, PoolStats::maxPending);
    acquire = timer(MeterName.ACQUIRE, poolTags, null);
    idleAge = timer(MeterName.IDLE_AGE, poolTags, IDLE_AGE_BUCKETS);
    acquireTimeouts = counter(MeterName.ACQUIRE_TIMEOUTS, poolTags);
    acquireRejected = counter(MeterName.ACQUIRE_REJECTED, poolTags);
    for (CloseCause c : CloseCause.values()) {
      ageByCause.put(c, timer(MeterName.LIFETIME, poolTags.and("cause", c.id()), AGE_BUCKETS));
    }
    for (String reason : List.of("stale", "reset", "timeout", "endpoint-down")) {
      retries.put(reason, counter(MeterName.RETRIES, poolTags.and("reason", reason)));
    }
    retriesRefused = counter(MeterName.RETRIES_REFUSED, poolTags);
  }

  @Override
  public synchronized void serverAdded(Endpoint endpoint) {
    String server = endpoint.name();
    if (servers.containsKey(server)) {
      return;
    }
    int before = meters.size();
    Tags t = poolTags.and("server", server);
    for (String state : List.of("idle", "leased", "connecting")) {
      gauge(MeterName.SERVER_CONNECTIONS, t.and("state", state), stats, x -> byState(find(x, server), state));
    }
    gauge(MeterName.SERVER_UP, t, stats, x -> {
      PoolStats.Server sv = find(x, server);
      return sv != null && sv.state() == ServerState.UP ? 1 : 0;
    });
    ServerMeters m = new ServerMeters();
    m.created = counter(MeterName.OPENED, t);
    m.connectOk = timer(MeterName.CONNECT, t.and("outcome", "success"), null);
    m.connectFailed = timer(MeterName.CONNECT, t.and("outcome", "failure"), null);
    m.resetIdle = counter(MeterName.RESETS, t.and("phase", "idle"));
    m.resetInFlight = counter(MeterName.RESETS, t.and("phase", "in-flight"));
    m.leaks = counter(MeterName.LEAKS, t);
    for (CloseCause c : CloseCause.values()) {
      m.closed.put(c, counter(MeterName.CLOSED, t.and("cause", c.id())));
    }
    for (ServerState st : ServerState.values()) {
      m.transitions.put(st, counter(MeterName.TRANSITIONS, t.and("to", st.name().toLowerCase(Locale.ROOT))));
    }
    m.meters.addAll(meters.subList(before, meters.size()));
    servers.put(server, m);
  }

  @Override
  public synchronized void serverRemoved(Endpoint endpoint) {
    ServerMeters m = servers.remove(endpoint.name());
    if (m != null) {
      m.meters.forEach(registry::remove);
      meters.removeAll(m.meters);
    }
  }

  /** The server's entry, or null once it has left the pool (a gauge read may race its removal). */
  private static PoolStats.Server find(PoolStats s, String server) {
    for (PoolStats.Server sv : s.servers()) {
      if (sv.name().equals(server)) {
        return sv;
      }
    }
    return null;
  }

  private static double byState(PoolStats s, String state) {
    return state.equals("idle") ? s.idle() : state.equals("leased") ? s.leased() : s.connecting();
  }

  private static double byState(PoolStats.Server s, String state) {
    if (s == null) {
      return 0;
    }
    return state.equals("idle") ? s.idle() : state.equals("leased") ? s.leased() : s.connecting();
  }

  private void gauge(MeterName n, Tags tags, Supplier<PoolStats> stats, ToDoubleFunction<PoolStats> f) {
    meters.add(Gauge.builder(n.meterName(), stats, s -> f.applyAsDouble(s.get()))
        .description(n.description()).tags(tags).register(registry));
  }

  private Counter counter(MeterName n, Tags tags) {
    Counter c = Counter.builder(n.meterName()).description(n.description()).tags(tags).register(registry);
    meters.add(c);
    return c;
  }

  private Timer timer(MeterName n, Tags tags, Duration[] buckets) {
    Timer.Builder b = Timer.builder(n.meterName()).description(n.description()).tags(tags);
    if (buckets != null) {
      b.serviceLevelObjectives(buckets);
    }
    Timer t = b.register(registry);
    meters.add(t);
    return t;
  }

  @Override
  public synchronized void poolClosed() {
    meters.forEach(registry::remove);
    meters.clear();
    servers.clear();
  }

  @Override
  public void recordConnect(Endpoint endpoint, long nanos, boolean success) {
    ServerMeters m = servers.get(endpoint.name());
    if (m == null) {
      return;
    }
    if (success) {
      m.connectOk.record(nanos, TimeUnit.NANOSECONDS);
      m.created.increment();
    } else {
      m.connectFailed.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void recordAcquire(Endpoint endpoint, long waitNanos, long idleNanos) {
    acquire.record(waitNanos, TimeUnit.NANOSECONDS);
    if (idleNanos >= 0) {
      idleAge.record(idleNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void recordAcquireTimeout(Endpoint endpoint, long waitNanos) {
    acquireTimeouts.increment();
  }

  @Override
  public void recordAcquireRejected() {
    acquireRejected.increment();
  }

  @Override
  public void recordClose(Endpoint endpoint, CloseCause cause, long ageNanos, boolean wasLeased) {
    ServerMeters m = servers.get(endpoint.name());
    if (m == null) {
      return;
    }
    m.closed.get(cause).increment();
    ageByCause.get(cause).record(Math.max(0, ageNanos), TimeUnit.NANOSECONDS);
    if (cause == CloseCause.PEER_RESET) {
      (wasLeased ? m.resetInFlight : m.resetIdle).increment();
    }
  }

  @Override
  public void recordStateChange(Endpoint endpoint, ServerState from, ServerState to) {
    ServerMeters m = servers.get(endpoint.name());
    if (m != null) {
      m.transitions.get(to).increment();
    }
  }

  @Override
  public void recordLeakSuspected(Endpoint endpoint) {
    ServerMeters m = servers.get(endpoint.name());
    if (m != null) {
      m.leaks.increment();
    }
  }

  @Override
  public void recordRetryRefused(Endpoint endpoint) {
    Counter c = retriesRefused;
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void recordRetry(Endpoint endpoint, String reason) {
    Counter c = retries.get(reason);
    if (c != null) {
      c.increment();
    }
  }
}
