package io.tidemark.gateway.config;

import java.util.Map;

/**
 * How long events and processing-log entries are kept (docs/retention.md). Both tables are
 * partitioned by tenant and by calendar month (UTC); a month's partition is dropped once its
 * last instant is older than the retention, so data is kept at least that long and at most a
 * month longer.
 *
 * @param eventsDays days of events kept; 0 (the default) keeps every event forever
 * @param logsDays days of processing-log entries kept; 0 (the default) keeps them forever
 * @param monthsAhead months of partitions created ahead of the current one (default 2)
 * @param checkMinutes how often an instance creates partitions and drops expired ones (default 60)
 * @param tenants per tenant name, retention that replaces the global one
 */
public record RetentionConfig(Integer eventsDays, Integer logsDays, Integer monthsAhead, Integer checkMinutes,
    Map<String, TenantRetention> tenants) {

  /** A tenant's own retention; a key left out takes the global value. */
  public record TenantRetention(Integer eventsDays, Integer logsDays) {}

  public RetentionConfig {
    eventsDays = eventsDays == null ? 0 : eventsDays;
    logsDays = logsDays == null ? 0 : logsDays;
    monthsAhead = monthsAhead == null ? 2 : monthsAhead;
    checkMinutes = checkMinutes == null ? 60 : checkMinutes;
    tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
  }

  static RetentionConfig defaults() {
    return new RetentionConfig(null, null, null, null, null);
  }

  /** Days of events {@code tenant} keeps; 0: forever. */
  public int eventsDays(String tenant) {
    TenantRetention own = tenants.get(tenant);
    return own != null && own.eventsDays() != null ? own.eventsDays() : eventsDays;
  }

  /** Days of processing-log entries {@code tenant} keeps; 0: forever. */
  public int logsDays(String tenant) {
    TenantRetention own = tenants.get(tenant);
    return own != null && own.logsDays() != null ? own.logsDays() : logsDays;
  }
}
