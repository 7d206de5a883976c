package io.tidemark.gateway.config;

/**
 * The live tail, {@code GET /event/{tenantLocator}/events/live} (docs/live.md).
 *
 * @param maxConnectionsPerUser open live connections one user may hold on one instance; more get 429
 * @param heartbeatSeconds how often an idle connection gets a comment line, so that proxies keep it open
 * @param slowClientSeconds a client that reads nothing for this long while events wait for it is disconnected
 * @param pollSeconds how often a connection looks for new events even without a notification (a safety net)
 */
public record LiveConfig(Integer maxConnectionsPerUser, Integer heartbeatSeconds, Integer slowClientSeconds,
    Integer pollSeconds) {

  public LiveConfig {
    maxConnectionsPerUser = maxConnectionsPerUser == null ? 10 : maxConnectionsPerUser;
    heartbeatSeconds = heartbeatSeconds == null ? 15 : heartbeatSeconds;
    slowClientSeconds = slowClientSeconds == null ? 30 : slowClientSeconds;
    pollSeconds = pollSeconds == null ? 5 : pollSeconds;
  }

  static LiveConfig defaults() {
    return new LiveConfig(null, null, null, null);
  }
}
