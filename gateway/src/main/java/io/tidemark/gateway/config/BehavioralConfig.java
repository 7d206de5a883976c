package io.tidemark.gateway.config;

/**
 * The behavioral-events API.
 *
 * @param auditLogRequestsPerMinute per user, for {@code GET /v2/events/audit_logs}; more get 429
 */
public record BehavioralConfig(Integer auditLogRequestsPerMinute) {

  public BehavioralConfig {
    auditLogRequestsPerMinute = auditLogRequestsPerMinute == null ? 100 : auditLogRequestsPerMinute;
  }

  static BehavioralConfig defaults() {
    return new BehavioralConfig(null);
  }
}
