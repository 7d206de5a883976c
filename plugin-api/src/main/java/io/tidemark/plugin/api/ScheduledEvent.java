package io.tidemark.plugin.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A firing of a schedule.
 *
 * @param policyLocator {@code null} for a tenant event
 * @param transactionLocator the request id of the call that created the schedule
 * @param attempt 1 for the first try of this firing, more for retries
 */
public record ScheduledEvent(String triggerName, UUID tenantLocator, String policyLocator, String customEventId,
    Map<String, Object> data, Instant scheduledTime, String transactionLocator, int attempt) {

  public ScheduledEvent {
    data = data == null ? Map.of() : Map.copyOf(data);
  }
}
