package io.tether.bench.jmh;

/** Builds the contender a benchmark's {@code impl} parameter names. */
final class Contenders {
  /** Every name {@link #create} accepts, for the docs and error messages. */
  static final String ALL =
      "tether-core, tether-core-future, tether-netty, tether-netty-future, tether-netty-loops, netty-simple, "
          + "netty-fixed, apache-lax, apache-strict, reactor-pool, cas-pair, cas-pair-clock";

  private Contenders() {}

  /**
   * A contender with {@code idle} idle connections per lane, for {@code lanes} callers. Netty's pools
   * get one pool per event loop (their best case: no caller ever touches another loop's channels), and
   * so does {@code tether-netty-loops}; every other pool is one pool shared by all callers.
   */
  static Contender create(String impl, Lanes loops, int lanes, int idle) throws Exception {
    return switch (impl) {
      case "tether-core" -> new TetherCoreContender(lanes * idle, false);
      case "tether-core-future" -> new TetherCoreContender(lanes * idle, true);
      case "tether-netty" -> new TetherNettyContender(loops, lanes * idle, false);
      case "tether-netty-future" -> new TetherNettyContender(loops, lanes * idle, true);
      case "tether-netty-loops" -> new TetherNettyContender(loops, lanes, idle);
      case "netty-simple" -> new NettyPoolContender(loops, lanes, idle, false);
      case "netty-fixed" -> new NettyPoolContender(loops, lanes, idle, true);
      case "apache-lax" -> new ApacheContender(lanes * idle, false);
      case "apache-strict" -> new ApacheContender(lanes * idle, true);
      case "reactor-pool" -> new ReactorPoolContender(lanes * idle);
      case "cas-pair" -> new CasContender(lanes * idle, false);
      case "cas-pair-clock" -> new CasContender(lanes * idle, true);
      default -> throw new IllegalArgumentException("impl " + impl + " (expected one of: " + ALL + ")");
    };
  }

  /**
   * One pool of exactly {@code connections}, shared by every caller, for the exhausted hand-off: more
   * callers than connections, so most acquires wait for a release.
   */
  static Contender createShared(String impl, Lanes loops, int connections) throws Exception {
    return switch (impl) {
      case "netty-fixed" -> new NettyPoolContender(loops, 1, connections, true);
      case "cas-pair", "cas-pair-clock", "netty-simple" ->
          throw new IllegalArgumentException(impl + " cannot wait: it has no bound to wait on");
      default -> create(impl, loops, 1, connections);
    };
  }
}
