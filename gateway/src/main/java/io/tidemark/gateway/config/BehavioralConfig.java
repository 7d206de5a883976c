package io.tidemark.gateway.config;

/**
 * The behavioral-events API.
 *
 * @param auditLogRequestsPerMinute per user, for {@code GET /v2/events/audit_logs}; more get 429
 * @param unauthorizedLogsPerWebhookPerMinute processing-log entries written for unauthorised
 *     attempts, per webhook; attempts beyond it are still answered 401 but not logged (0: none logged)
 */
public record BehavioralConfig(Integer auditLogRequestsPerMinute, Integer unauthorizedLogsPerWebhookPerMinute) {

  public BehavioralConfig {
    auditLogRequestsPerMinute = auditLogRequestsPerMinute == null ? 100 : auditLogRequestsPerMinute;
    unauthorizedLogsPerWebhookPerMinute = unauthorizedLogsPerWebhookPerMinute == null ? 60 : unauthorizedLogsPerWebhookPerMinute;
  }

  /** The audit-log limit alone, the other keys at their defaults. */
  public BehavioralConfig(Integer auditLogRequestsPerMinute) {
    this(auditLogRequestsPerMinute, null);
  }

  static BehavioralConfig defaults() {
    return new BehavioralConfig(null, null);
  }
}
