package io.tidemark.gateway.config;

/**
 * The Prometheus scrape endpoint, {@code GET /metrics}.
 *
 * @param enabled {@code false} leaves metrics out entirely (no endpoint, no recording)
 * @param port 0 (the default) serves {@code /metrics} on the API port; any other port serves it
 *     there only, on a management listener of its own (so that it need not be reachable from
 *     wherever the API is)
 * @param host the management listener's address (default {@code 127.0.0.1})
 */
public record MetricsConfig(Boolean enabled, Integer port, String host) {

  public MetricsConfig {
    enabled = enabled == null ? Boolean.TRUE : enabled;
    port = port == null ? 0 : port;
    host = host == null ? "127.0.0.1" : host;
  }

  static MetricsConfig defaults() {
    return new MetricsConfig(null, null, null);
  }

  public boolean separatePort() {
    return port != 0;
  }

  public MetricsConfig withPort(int port) {
    return new MetricsConfig(enabled, port, host);
  }
}
