package io.tidemark.gateway.config;

/**
 * The HTTP server.
 *
 * @param port TCP port; {@code TIDEMARK_HTTP_PORT} overrides it, 0 picks a free one
 * @param host the address to bind
 * @param instances how many event loops serve HTTP (one server verticle each)
 * @param maxBodyBytes requests with a larger body get 413
 * @param shutdownGraceSeconds how long a SIGTERM waits for in-flight requests
 */
public record HttpConfig(
    Integer port, String host, Integer instances, Long maxBodyBytes, Integer shutdownGraceSeconds) {

  public HttpConfig {
    port = port == null ? 8080 : port;
    host = host == null ? "0.0.0.0" : host;
    instances = instances == null ? Runtime.getRuntime().availableProcessors() : instances;
    maxBodyBytes = maxBodyBytes == null ? 1024L * 1024 : maxBodyBytes;
    shutdownGraceSeconds = shutdownGraceSeconds == null ? 30 : shutdownGraceSeconds;
  }

  static HttpConfig defaults() {
    return new HttpConfig(null, null, null, null, null);
  }

  public HttpConfig withPort(int port) {
    return new HttpConfig(port, host, instances, maxBodyBytes, shutdownGraceSeconds);
  }

  public HttpConfig withInstances(int instances) {
    return new HttpConfig(port, host, instances, maxBodyBytes, shutdownGraceSeconds);
  }
}
