package io.tether.pool.haproxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a backend's {@code server-template ... resolvers} lines with their {@code resolvers} sections,
 * with HAProxy 2.6's defaults: {@code timeout resolve 1s}, {@code timeout retry 1s}, {@code hold valid
 * 10s}, {@code hold obsolete 0s}, {@code hold nx 30s}.
 */
final class DnsTemplates {
  private final String file;
  private final List<Section> sections;

  DnsTemplates(String file, List<Section> sections) {
    this.file = file;
    this.sections = sections;
  }

  List<DnsTemplate> of(Proxy be) {
    List<DnsTemplate> out = new ArrayList<>();
    for (ServerLine s : be.servers) {
      String resolvers = s.params.get("resolvers");
      if (s.templateHigh == 0 || resolvers == null) {
        continue;
      }
      Section r = sections.stream().filter(x -> x.kind() == Section.Kind.RESOLVERS && resolvers.equals(x.name()))
          .findFirst().orElseThrow(() -> new HaproxyConfigException(file, s.where.line(), s.where.text(),
              "server-template " + s.name + " names resolvers '" + resolvers + "', which no section defines",
              "a 'resolvers " + resolvers + "' section"));
      String address = s.address;
      int colon = address.lastIndexOf(':');
      boolean srv = address.startsWith("_");
      String host = colon > 0 && !srv ? address.substring(0, colon) : address;
      int port = 0;
      if (!srv) {
        if (colon < 0) {
          throw new HaproxyConfigException(file, s.where.line(), s.where.text(), "server-template " + s.name
              + " resolves '" + address + "' to addresses without a port", "<name>:<port>, or an SRV name");
        }
        port = (int) ServerLine.atol(address.substring(colon + 1));
        if (port < 1 || port > 65535) {
          throw new HaproxyConfigException(file, s.where.line(), s.where.text(), "server-template " + s.name
              + ": port '" + address.substring(colon + 1) + "'", "a port 1-65535");
        }
      }
      out.add(new DnsTemplate(s.name, s.templateHigh - s.templateLow + 1, host, port, srv, nameServers(r),
          time(r, "timeout", "resolve", 1000), time(r, "hold", "valid", 10_000), time(r, "hold", "obsolete", 0),
          time(r, "hold", "nx", 30_000), time(r, "timeout", "retry", 1000), s.where.line()));
    }
    return out;
  }

  private List<InetSocketAddress> nameServers(Section r) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Directive d : r.directives()) {
      if (d.keyword().equals("nameserver") && d.arg(1) != null) {
        String a = d.arg(1).replaceFirst("^(udp|tcp|ipv4|ipv6)@", "");
        int colon = a.lastIndexOf(':');
        String host = colon > 0 ? a.substring(0, colon) : a;
        int port = colon > 0 ? (int) ServerLine.atol(a.substring(colon + 1)) : 53;
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        out.add(new InetSocketAddress(host, port));
      }
    }
    return out;
  }

  private Duration time(Section r, String keyword, String what, long dfltMillis) {
    long ms = dfltMillis;
    for (Directive d : r.directives()) {
      if (d.keyword().equals(keyword) && what.equals(d.arg(0)) && d.arg(1) != null) {
        HaproxyTime.Result t = HaproxyTime.parse(d.arg(1));
        if (t.error() != null) {
          throw new HaproxyConfigException(file, d.line(), d.text(), "'" + keyword + " " + what + "': " + t.error(),
              "a time such as 500ms, 10s or 9m");
        }
        ms = t.millis();
      }
    }
    return Duration.ofMillis(ms);
  }
}
