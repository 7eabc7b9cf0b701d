package io.tether.pool.haproxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A {@code server-template ... resolvers <name>} line of a backend with its {@code resolvers} section:
 * what a DNS membership source needs to keep a pool's servers as HAProxy keeps that backend's. From
 * {@link HaproxyConfig#discovery(String)}; the Netty adapter's {@code DnsDiscovery.Builder.apply} takes it.
 *
 * @param prefix the server name prefix; servers are {@code <prefix>1..<servers>}
 * @param servers how many servers the template makes (the slot count)
 * @param name the DNS name: a host for A/AAAA records, or an SRV name (starting with {@code _})
 * @param port the servers' port for A/AAAA records; 0 for SRV (ports come from the records)
 * @param srv whether {@code name} is an SRV name
 * @param nameServers the section's {@code nameserver} addresses; empty for the platform's
 *     ({@code parse-resolv-conf}, or none given)
 * @param resolveEvery {@code timeout resolve}: how often to resolve (default 1s)
 * @param holdValid {@code hold valid}: how long a valid answer is used (default 10s)
 * @param holdObsolete {@code hold obsolete}: how long an address missing from answers is kept (default 0s)
 * @param holdNx {@code hold nx}: how long an NXDOMAIN answer is not believed (default 30s)
 * @param queryTimeout {@code timeout retry}: how long to wait for one answer (default 1s)
 * @param line the template's line in the file
 */
public record DnsTemplate(String prefix, int servers, String name, int port, boolean srv,
    List<InetSocketAddress> nameServers, Duration resolveEvery, Duration holdValid, Duration holdObsolete,
    Duration holdNx, Duration queryTimeout, int line) {
  /**
   * Copies the list.
   *
   * @param prefix the server name prefix
   * @param servers the slot count
   * @param name the DNS name
   * @param port the port, or 0 for SRV
   * @param srv whether the name is an SRV name
   * @param nameServers the name servers; empty for the platform's
   * @param resolveEvery {@code timeout resolve}
   * @param holdValid {@code hold valid}
   * @param holdObsolete {@code hold obsolete}
   * @param holdNx {@code hold nx}
   * @param queryTimeout {@code timeout retry}
   * @param line the template's line
   */
  public DnsTemplate {
    nameServers = List.copyOf(nameServers);
  }
}
