package io.tether.pool.haproxy;

import io.tether.pool.ConfigException;
import io.tether.pool.Eviction;
import io.tether.pool.PoolConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@code haproxy.cfg} read exactly as HAProxy 2.6 reads it, as the source of truth for the timeouts a
 * pooled client meets and for the servers and checks of a backend it talks to directly.
 *
 * <pre>{@code
 * HaproxyConfig cfg = HaproxyConfig.read(Path.of("/etc/haproxy/haproxy.cfg"));
 * PoolConfig config = PoolConfig.builder()
 *     .apply(cfg.frontend("api"))       // lb-idle-timeout: when HAProxy closes an idle client connection
 *     .build();
 * System.out.println(cfg.clientIdleTimeout("api").describe());   // how it was found
 * }</pre>
 *
 * <p>What it reads: bytes, split into words by HAProxy's rules (quotes, escapes, environment variables
 * inside double quotes with {@code ${VAR-default}} and {@code ${VAR[*]}}), {@code .if/.elif/.else/.endif}
 * blocks against a {@link HaproxyBuild}, {@code .diag/.notice/.warning/.alert}, every section type of
 * HAProxy 2.6, {@code defaults} inheritance (named, {@code from}), the timeout rules of {@code mux_h1.c}
 * and {@code stream.c}, server lines by HAProxy's own keyword table. Anything HAProxy would refuse, or
 * that a client cannot use, is a {@link HaproxyConfigException} naming the file, the line, the text and
 * what was expected.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HaproxyConfig {
  private final String file;
  private final List<Section> sections;
  private final List<String> warnings;
  private final Proxies proxies;
  private final IdleRules idle;

  private HaproxyConfig(String file, ConfigReader reader, Proxies proxies) {
    this.file = file;
    this.sections = List.copyOf(reader.sections);
    this.warnings = List.copyOf(reader.warnings);
    this.proxies = proxies;
    this.idle = new IdleRules(proxies, file);
  }

  /**
   * Reads {@code file} with the process's environment, for Debian 12's HAProxy 2.6.
   *
   * @param file a haproxy.cfg
   * @return the configuration
   * @throws HaproxyConfigException for anything HAProxy would refuse
   * @throws UncheckedIOException if the file cannot be read
   */
  public static HaproxyConfig read(Path file) {
    return read(file, System::getenv, HaproxyBuild.DEBIAN_12);
  }

  /**
   * Reads {@code file}, expanding environment variables with {@code env} and evaluating {@code .if}
   * predicates for {@code build}.
   *
   * @param file a haproxy.cfg
   * @param env the environment: a variable's value, or null when unset
   * @param build the HAProxy that will run the file
   * @return the configuration
   */
  public static HaproxyConfig read(Path file, Function<String, String> env, HaproxyBuild build) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return parse(bytes, file.toString(), env, build);
  }

  /**
   * Parses configuration text (encoded as UTF-8), naming it {@code file} in messages.
   *
   * @param text the configuration, every line ending with a line feed
   * @param file the name to use in messages
   * @param env the environment: a variable's value, or null when unset
   * @return the configuration
   */
  public static HaproxyConfig parse(String text, String file, Function<String, String> env) {
    return parse(text.getBytes(StandardCharsets.UTF_8), file, env, HaproxyBuild.DEBIAN_12);
  }

  /**
   * Parses configuration bytes.
   *
   * @param bytes the configuration
   * @param file the name to use in messages
   * @param env the environment: a variable's value, or null when unset
   * @param build the HAProxy that will run it
   * @return the configuration
   */
  public static HaproxyConfig parse(byte[] bytes, String file, Function<String, String> env, HaproxyBuild build) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(build, "build");
    ConfigReader reader = new ConfigReader(file, env, build);
    reader.read(bytes);
    Proxies proxies = new Proxies(reader);
    proxies.build(reader.sections);
    return new HaproxyConfig(file, reader, proxies);
  }

  /** {@return the file's name as given} */
  public String file() {
    return file;
  }

  /** {@return every section, in file order} */
  public List<Section> sections() {
    return sections;
  }

  /**
   * {@return what HAProxy would warn about while reading: ignored keywords, overwritten timeouts, {@code
   * .warning} lines}
   */
  public List<String> warnings() {
    return warnings;
  }

  /** {@return the names of the frontend and listen sections, in file order} */
  public List<String> frontends() {
    return new ArrayList<>(proxies.frontends.keySet());
  }

  /** {@return the names of the backend and listen sections, in file order} */
  public List<String> backends() {
    return new ArrayList<>(proxies.backends.keySet());
  }

  private Proxy frontendProxy(String name) {
    Proxy p = proxies.frontends.get(name);
    if (p == null) {
      String hint = proxies.backends.containsKey(name)
          ? "'" + name + "' is a backend: a client connects to a frontend or listen section" : "";
      throw new HaproxyConfigException(file, 0, "", "no frontend or listen section named '" + name + "'"
          + (hint.isEmpty() ? "" : "; " + hint), "one of " + frontends());
    }
    return p;
  }

  private Proxy backendProxy(String name) {
    Proxy p = proxies.backends.get(name);
    if (p == null) {
      String hint = proxies.frontends.containsKey(name) ? "'" + name + "' is a frontend" : "";
      throw new HaproxyConfigException(file, 0, "", "no backend or listen section named '" + name + "'"
          + (hint.isEmpty() ? "" : "; " + hint), "one of " + backends());
    }
    return p;
  }

  /**
   * When HAProxy closes an idle client connection of {@code frontend} that has carried a request: the
   * timeout a pool must evict before.
   *
   * @param frontend the name of a frontend or listen section
   * @return the timeout (null if HAProxy never closes idle connections) and how it was found
   */
  public Derivation<Duration> clientIdleTimeout(String frontend) {
    return idle.afterResponse(frontendProxy(frontend));
  }

  /**
   * When HAProxy closes a client connection of {@code frontend} that has not carried a request yet (in
   * HTTP, {@code timeout http-request} applies, with an unsolicited {@code 408}).
   *
   * @param frontend the name of a frontend or listen section
   * @return the timeout (null if never) and how it was found
   */
  public Derivation<Duration> newConnectionIdleTimeout(String frontend) {
    return idle.beforeFirstRequest(frontendProxy(frontend));
  }

  /**
   * The settings for a client of {@code frontend}: {@code lb-idle-timeout} is set to {@link
   * #clientIdleTimeout}. When HAProxy never closes idle connections it is left as it is.
   *
   * @param frontend the name of a frontend or listen section
   * @return sets the derived values on a builder; use with {@link PoolConfig.Builder#apply}
   * @throws HaproxyConfigException if there is no such frontend, or a derived value is outside Tether's
   *     range (naming the line it came from)
   */
  public Consumer<PoolConfig.Builder> frontend(String frontend) {
    Derivation<Duration> d = clientIdleTimeout(frontend);
    Derivation<Duration> fresh = newConnectionIdleTimeout(frontend);
    return b -> {
      if (d.value() != null) {
        apply(d, () -> b.lbIdleTimeout(d.value()));
      }
      // Only a shorter first-request timeout matters: warmed-up connections must leave before HAProxy's 408.
      if (fresh.value() != null && (d.value() == null || fresh.value().compareTo(d.value()) < 0)) {
        apply(fresh, () -> b.eviction(Eviction.builder().lbFirstRequestTimeout(fresh.value()).build()));
      }
    };
  }

  private void apply(Derivation<Duration> d, Runnable set) {
    try {
      set.run();
    } catch (ConfigException e) {
      throw new HaproxyConfigException(file, d.line(), "", "derives " + e.key() + " " + e.value()
          + " from " + d.explanation().get(0), e.getMessage().substring(e.getMessage().indexOf("(expected: ") + 11)
              .replaceAll("\\)$", ""));
    }
  }

  /**
   * The settings for a client that talks to the servers of {@code backend} itself: servers, health
   * checks, {@code on-marked-down}, {@code on-marked-up}, {@code observe}, balance, redispatch and retries.
   * What the file leaves unset stays as the builder has it; {@link #explainBackend} says which.
   *
   * @param backend the name of a backend or listen section
   * @return sets the derived values on a builder; use with {@link PoolConfig.Builder#apply}
   * @throws HaproxyConfigException if there is no such backend, a server cannot be reached by a client,
   *     or a value is outside Tether's range
   */
  public Consumer<PoolConfig.Builder> backend(String backend) {
    BackendRules r = new BackendRules(file, backendProxy(backend));
    return r::applyTo;
  }

  /**
   * The backend's servers that HAProxy finds in DNS at run time: each {@code server-template ...
   * resolvers <name>} line with its {@code resolvers} section. {@link #backend} leaves them out; a
   * membership source (the Netty adapter's {@code DnsDiscovery}) keeps them.
   *
   * @param backend the name of a backend or listen section
   * @return the templates, in file order; empty if the backend has none
   * @throws HaproxyConfigException if there is no such backend, or a template names resolvers no section
   *     defines, or resolves names without a port
   */
  public List<DnsTemplate> discovery(String backend) {
    return new DnsTemplates(file, sections).of(backendProxy(backend));
  }

  /**
   * How every value {@link #backend} sets was found, and what to watch out for.
   *
   * @param backend the name of a backend or listen section
   * @return the explanation
   */
  public Derivation<String> explainBackend(String backend) {
    BackendRules r = new BackendRules(file, backendProxy(backend));
    return new Derivation<>(backend, r.explanation, r.warnings, 0);
  }

  /**
   * Everything Tether derives for {@code frontend}, and for its default backend when that has servers, as
   * text: the idle timeouts with their reasons, the backend's settings, and every warning.
   *
   * @param frontend the name of a frontend or listen section
   * @return the explanation, one statement a line
   */
  public String explain(String frontend) {
    StringBuilder sb = new StringBuilder();
    Derivation<Duration> after = clientIdleTimeout(frontend);
    sb.append("idle timeout ").append(after.value() == null ? "none" : HaproxyTime.format(after.value().toMillis()))
        .append(" (tether.pool.lb-idle-timeout):\n");
    after.explanation().forEach(e -> sb.append("  ").append(e).append('\n'));
    Derivation<Duration> fresh = newConnectionIdleTimeout(frontend);
    sb.append("idle timeout before the first request ")
        .append(fresh.value() == null ? "none" : HaproxyTime.format(fresh.value().toMillis())).append(":\n");
    fresh.explanation().forEach(e -> sb.append("  ").append(e).append('\n'));
    List<String> warn = new ArrayList<>(after.warnings());
    Proxy fe = frontendProxy(frontend);
    warn.addAll(pooledClientWarnings(fe));
    Proxy def = proxies.defaultBackend(fe);
    if (def != null && !def.servers.isEmpty()) {
      Derivation<String> b = explainBackend(def.section.name());
      sb.append("servers and checks (").append(def.title()).append("):\n");
      b.explanation().forEach(e -> sb.append("  ").append(e).append('\n'));
      warn.addAll(b.warnings());
    }
    warn.addAll(warnings);
    for (String w : warn) {
      sb.append("warning: ").append(w).append('\n');
    }
    return sb.toString();
  }

  /**
   * What costs a pooled client errors on deploys and reloads, and what HAProxy offers against it.
   * Measured on HAProxy 2.6.12: on a reload the old process closes each idle HTTP/1.1 client
   * connection within milliseconds, and a request written at that instant gets EOF.
   */
  private List<String> pooledClientWarnings(Proxy fe) {
    List<String> out = new ArrayList<>();
    boolean http = fe.http() || proxies.candidates(fe).stream().anyMatch(Proxy::http);
    if (http && !fe.option("idle-close-on-response")) {
      out.add(fe.title() + " has no option idle-close-on-response: on a reload (haproxy -sf) the old process "
          + "closes every idle pooled connection at once, and a request written at that moment fails; with it, "
          + "the old process answers that request with Connection: close instead");
    }
    boolean spread = sections.stream().filter(s -> s.kind() == Section.Kind.GLOBAL)
        .flatMap(s -> s.directives().stream()).anyMatch(d -> d.keyword().equals("close-spread-time"));
    if (http && !spread) {
      out.add("no close-spread-time in global: on a reload every pooled client loses its idle connections in "
          + "the same instant and reconnects at once; close-spread-time spreads those closes");
    }
    for (Proxy be : proxies.candidates(fe)) {
      if (be.servers.isEmpty()) {
        continue;
      }
      boolean shutdown = be.servers.stream().allMatch(sv -> sv.params.get("on-marked-down") != null);
      boolean checked = be.servers.stream().anyMatch(sv -> sv.params.flag("check"));
      if (checked && !shutdown) {
        out.add(be.title() + ": a server without on-marked-down shutdown-sessions keeps its sessions when it is "
            + "marked down, so a pooled connection to a server that died silently hangs until a timeout; set it, "
            + "and tether.pool.response-timeout on the client");
      }
      if (be.servers.stream().noneMatch(sv -> sv.params.flag("agent-check"))) {
        out.add(be.title() + ": no agent-check: a server cannot tell HAProxy it is draining before a deploy, so its "
            + "last requests race the restart (Tether's AgentResponder answers agent checks)");
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "HaproxyConfig{" + file + ", frontends " + frontends() + ", backends " + backends() + "}";
  }
}
