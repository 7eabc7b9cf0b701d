package io.tether.pool.internal;

/**
 * The states of a pooled connection and the moves between them, as a table: {@link PooledConnection}
 * asserts every move against it, and a test walks the whole table.
 */
final class ConnectionState {
  static final int NEW = 0;
  static final int IDLE = 1;
  static final int LEASED = 2;
  static final int LEASED_HOT = 3;
  static final int CLOSING = 4;
  static final int CLOSED = 5;

  private static final String[] NAMES = {"new", "idle", "leased", "leased-hot", "closing", "closed"};

  /** {@code LEGAL[from][to]}: the moves the state machine allows. */
  private static final boolean[][] LEGAL = new boolean[6][6];

  static {
    allow(NEW, LEASED);        // connected, for the acquire that opened it
    allow(NEW, CLOSED);        // connected after the pool or server stopped taking connections
    allow(IDLE, LEASED);       // leased from the deque
    allow(IDLE, LEASED_HOT);   // leased from a hot slot
    allow(LEASED_HOT, LEASED); // its slot was taken over
    allow(LEASED, IDLE);       // released
    allow(LEASED_HOT, IDLE);   // released, still in its slot
    allow(IDLE, CLOSING);
    allow(LEASED, CLOSING);
    allow(LEASED_HOT, CLOSING);
    allow(CLOSING, CLOSED);
  }

  private ConnectionState() {}

  private static void allow(int from, int to) {
    LEGAL[from][to] = true;
  }

  static boolean legal(int from, int to) {
    return LEGAL[from][to];
  }

  static String name(int s) {
    return s >= 0 && s < NAMES.length ? NAMES[s] : "state " + s;
  }

  static int count() {
    return NAMES.length;
  }
}
