package io.tidemark.gateway.config;

/**
 * The HTTP server.
 *
 * @param port TCP port; {@code TIDEMARK_HTTP_PORT} overrides it, 0 picks a free one
 * @param host the address to bind
 * @param instances how many event loops serve HTTP (one server verticle each)
 * @param maxBodyBytes requests with a larger body get 413
 * @param shutdownGraceSeconds how long a SIGTERM waits for in-flight requests
 * @param idleTimeoutSeconds a connection that sends and receives nothing this long is closed; 0 never
 * @param maxConnections open connections across all instances; more are closed as they arrive
 * @param maxHeaderBytes request headers together larger than this get 431
 * @param maxUriBytes a request line (method, URI, version) longer than this gets 414
 * @param drainDelaySeconds on SIGTERM, how long the gateway keeps serving while {@code /health/ready}
 *     already answers 503, so that load balancers stop sending it traffic before it stops accepting
 */
public record HttpConfig(
    Integer port, String host, Integer instances, Long maxBodyBytes, Integer shutdownGraceSeconds,
    Integer idleTimeoutSeconds, Integer maxConnections, Integer maxHeaderBytes, Integer maxUriBytes,
    Integer drainDelaySeconds) {

  public HttpConfig {
    port = port == null ? 8080 : port;
    host = host == null ? "0.0.0.0" : host;
    instances = instances == null ? Runtime.getRuntime().availableProcessors() : instances;
    maxBodyBytes = maxBodyBytes == null ? 1024L * 1024 : maxBodyBytes;
    shutdownGraceSeconds = shutdownGraceSeconds == null ? 30 : shutdownGraceSeconds;
    // Longer than the longest plugin call a route may allow by default: idleness ends a request too.
    idleTimeoutSeconds = idleTimeoutSeconds == null ? 120 : idleTimeoutSeconds;
    maxConnections = maxConnections == null ? 10_000 : maxConnections;
    maxHeaderBytes = maxHeaderBytes == null ? 8192 : maxHeaderBytes;
    maxUriBytes = maxUriBytes == null ? 8192 : maxUriBytes;
    drainDelaySeconds = drainDelaySeconds == null ? 0 : drainDelaySeconds;
  }

  static HttpConfig defaults() {
    return new HttpConfig(null, null, null, null, null, null, null, null, null, null);
  }

  public HttpConfig withPort(int port) {
    return new HttpConfig(port, host, instances, maxBodyBytes, shutdownGraceSeconds,
        idleTimeoutSeconds, maxConnections, maxHeaderBytes, maxUriBytes, drainDelaySeconds);
  }

  public HttpConfig withShutdown(int shutdownGraceSeconds, int drainDelaySeconds) {
    return new HttpConfig(port, host, instances, maxBodyBytes, shutdownGraceSeconds,
        idleTimeoutSeconds, maxConnections, maxHeaderBytes, maxUriBytes, drainDelaySeconds);
  }

  public HttpConfig withInstances(int instances) {
    return new HttpConfig(port, host, instances, maxBodyBytes, shutdownGraceSeconds,
        idleTimeoutSeconds, maxConnections, maxHeaderBytes, maxUriBytes, drainDelaySeconds);
  }

  public HttpConfig withLimits(int idleTimeoutSeconds, int maxConnections, int maxHeaderBytes, int maxUriBytes) {
    return new HttpConfig(port, host, instances, maxBodyBytes, shutdownGraceSeconds,
        idleTimeoutSeconds, maxConnections, maxHeaderBytes, maxUriBytes, drainDelaySeconds);
  }
}
