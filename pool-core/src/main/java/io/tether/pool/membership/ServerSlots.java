package io.tether.pool.membership;

import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.MembershipChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Turns what a membership source finds (DNS answers, a registry's list) into a live pool's servers,
 * the way HAProxy's {@code server-template} does: each address gets a server named by a slot,
 * {@code <prefix>1} to {@code <prefix>N}, so metric tags and logs stay bounded and never carry raw
 * addresses; an address keeps its slot while it is found. An address missing from an answer is held for
 * {@code holdObsolete} (HAProxy's {@code hold obsolete}) before its server is removed, so one flapping
 * answer does not empty a server; removal drains (see {@link ConnectionPool#removeServer}) and its slot
 * is reused only once the server has left. A source that cannot answer (a DNS outage) simply does not
 * call {@link #offer}: the pool keeps its servers.
 *
 * <p>A function of the answers and of {@code now} (nanoseconds of the pool's ticker); the caller decides
 * when to call. Thread-safe: calls are serialized.
 */
public final class ServerSlots {
  private final ConnectionPool<?> pool;
  private final String prefix;
  private final int maxSlots;
  private final long holdObsoleteNanos;
  /** Current address (host|port) to its slot. */
  private final Map<String, Slot> byAddress = new HashMap<>();
  /** Slot numbers free to give out; a removed server's slot returns here when it has left the pool. */
  private final TreeSet<Integer> free = new TreeSet<>();
  private boolean warnedFull;

  private static final class Slot {
    final String name;
    final int number;
    Discovered found;
    /** Whether the last answer lacked it; its hold runs from {@link #missingSince}. */
    boolean missing;
    long missingSince;

    Slot(String name, int number, Discovered found) {
      this.name = name;
      this.number = number;
      this.found = found;
    }
  }

  /**
   * Slots for {@code pool}'s servers.
   *
   * @param pool the pool whose servers follow the answers: they are exactly the slots' (build it with
   *     {@code dynamicServers()}; any other server it has is removed at the first answer)
   * @param prefix the slot name prefix, 1-32 of {@code [A-Za-z0-9._-]}
   * @param maxSlots most servers at once, 1-10000; addresses beyond it are ignored (and reported)
   * @param holdObsolete how long an address missing from answers is kept; 0 removes it at once
   */
  public ServerSlots(ConnectionPool<?> pool, String prefix, int maxSlots, Duration holdObsolete) {
    this.pool = Objects.requireNonNull(pool, "pool");
    if (!prefix.matches("[A-Za-z0-9._-]{1,32}")) {
      throw new IllegalArgumentException("slot prefix '" + prefix + "' (expected: 1-32 of A-Z a-z 0-9 . _ -)");
    }
    if (maxSlots < 1 || maxSlots > 10_000) {
      throw new IllegalArgumentException("max slots " + maxSlots + " (expected: 1-10000)");
    }
    if (holdObsolete.isNegative()) {
      throw new IllegalArgumentException("hold obsolete " + holdObsolete + " (expected: 0 or more)");
    }
    this.prefix = prefix;
    this.maxSlots = maxSlots;
    this.holdObsoleteNanos = holdObsolete.toNanos();
    for (int i = 1; i <= maxSlots; i++) {
      free.add(i);
    }
  }

  /**
   * A complete, successful answer: {@code found} is every server there is now. New addresses join
   * (lowest free slot first), changed weights or priorities apply, and addresses missing from it start
   * or continue their hold.
   *
   * @param found the servers found, each address once
   * @param now the ticker's time
   * @return what changed in the pool
   */
  public synchronized MembershipChange offer(List<Discovered> found, long now) {
    List<String> added = new ArrayList<>();
    List<String> reweighted = new ArrayList<>();
    Map<String, Discovered> seen = new java.util.LinkedHashMap<>(); // new addresses take slots in answer order
    for (Discovered d : found) {
      seen.putIfAbsent(d.key(), d);
    }
    List<String> removed = new ArrayList<>();
    for (Slot s : new ArrayList<>(byAddress.values())) {
      Discovered d = seen.get(s.found.key());
      if (d == null) {
        if (!s.missing) {
          s.missing = true;
          s.missingSince = now;
        }
      } else if (d.priority() != s.found.priority()) {
        // The tier is part of a server's place in the pool: the old one leaves, the address joins anew.
        release(s, removed);
      } else {
        s.missing = false;
        if (d.weight() != s.found.weight()) {
          reweighted.add(s.name);
        }
        s.found = d;
      }
    }
    for (Discovered d : seen.values()) {
      if (byAddress.containsKey(d.key())) {
        continue;
      }
      Integer n = free.pollFirst();
      if (n == null) {
        warnedFull = true;
        continue; // more addresses than slots: HAProxy's server-template ignores them too
      }
      Slot fresh = new Slot(prefix + n, n, d);
      byAddress.put(d.key(), fresh);
      added.add(fresh.name);
    }
    removed.addAll(expireLocked(now));
    return push(added, removed, reweighted);
  }

  /**
   * Applies the slots to the pool in one {@link ConnectionPool#updateServers} (batched there: one copy of
   * the server list however many change), then follows each removed server to free its slot number.
   */
  private MembershipChange push(List<String> added, List<String> removed, List<String> reweighted) {
    if (added.isEmpty() && removed.isEmpty() && reweighted.isEmpty()) {
      return new MembershipChange(List.of(), List.of(), List.of());
    }
    List<Endpoint> all = new ArrayList<>(byAddress.size());
    for (Slot s : byAddress.values()) {
      all.add(new Endpoint(s.name, s.found.host(), s.found.port(), s.found.weight()).withPriority(s.found.priority()));
    }
    pool.updateServers(all);
    for (String name : removed) {
      int number = Integer.parseInt(name.substring(prefix.length()));
      try {
        pool.removeServer(name).whenComplete((v, e) -> slotFreed(number)); // the drain under way
      } catch (IllegalArgumentException alreadyGone) {
        slotFreed(number); // it had no connection: it left at once
      }
    }
    added.sort(null);
    removed.sort(null);
    reweighted.sort(null);
    return new MembershipChange(added, removed, reweighted);
  }

  /**
   * Time passed without an answer: removes servers whose hold ran out.
   *
   * @param now the ticker's time
   * @return what changed in the pool
   */
  public synchronized MembershipChange expire(long now) {
    return push(new ArrayList<>(), expireLocked(now), new ArrayList<>());
  }

  private List<String> expireLocked(long now) {
    List<String> removed = new ArrayList<>();
    for (Slot s : new ArrayList<>(byAddress.values())) {
      if (s.missing && now - s.missingSince >= holdObsoleteNanos) {
        release(s, removed);
      }
    }
    removed.sort(null);
    return removed;
  }

  /** The slot's server is to be removed (a drain); its number is given out again once it has left. */
  private void release(Slot s, List<String> removed) {
    byAddress.remove(s.found.key());
    removed.add(s.name);
  }

  private synchronized void slotFreed(int number) {
    free.add(number);
  }

  /** {@return when the next held address's hold runs out (ticker time), or {@code Long.MAX_VALUE}} */
  public synchronized long nextExpiry() {
    long next = Long.MAX_VALUE;
    for (Slot s : byAddress.values()) {
      if (s.missing) {
        next = Math.min(next, s.missingSince + holdObsoleteNanos);
      }
    }
    return next;
  }

  /** {@return the servers by slot name: address, port, weight and priority as last found} */
  public synchronized Map<String, Discovered> current() {
    Map<String, Discovered> out = new java.util.TreeMap<>();
    byAddress.values().forEach(s -> out.put(s.name, s.found));
    return out;
  }

  /** {@return whether an answer held more addresses than there are slots (reset by reading)} */
  public synchronized boolean overflowed() {
    boolean w = warnedFull;
    warnedFull = false;
    return w;
  }
}
