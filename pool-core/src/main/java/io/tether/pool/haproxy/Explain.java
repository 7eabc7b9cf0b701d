package io.tether.pool.haproxy;

import java.nio.file.Path;

/**
 * Prints what Tether derives from a {@code haproxy.cfg}, and why:
 *
 * <pre>
 * java -cp pool-core.jar io.tether.pool.haproxy.Explain /etc/haproxy/haproxy.cfg [frontend]
 * </pre>
 *
 * With no frontend named, every frontend and listen section is explained. Exits with status 2 and the
 * error, naming file and line, if HAProxy would refuse the file.
 */
public final class Explain {
  private Explain() {}

  /**
   * Runs the explanation.
   *
   * @param args the haproxy.cfg path, then optionally frontend names
   */
  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: Explain <haproxy.cfg> [frontend...]");
      System.exit(64);
    }
    try {
      HaproxyConfig cfg = HaproxyConfig.read(Path.of(args[0]));
      java.util.List<String> names = args.length > 1 ? java.util.List.of(args).subList(1, args.length) : cfg.frontends();
      for (String fe : names) {
        System.out.println("frontend " + fe + ":");
        for (String line : cfg.explain(fe).split("\n")) {
          System.out.println("  " + line);
        }
      }
      if (names.isEmpty()) {
        System.out.println("no frontend or listen section in " + args[0]);
        cfg.warnings().forEach(w -> System.out.println("warning: " + w));
      }
    } catch (HaproxyConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }
}
