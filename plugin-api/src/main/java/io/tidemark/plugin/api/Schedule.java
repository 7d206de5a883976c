package io.tidemark.plugin.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A custom event to fire later, for a policy or for the tenant, once or repeatedly.
 *
 * <pre>{@code
 * Schedule.forPolicy(policyLocator, "policy.expired", endTime).withData(Map.of("reason", "term ended"))
 * Schedule.forTenant("tenant.report_due", firstOfMonth).repeating(Duration.ofDays(30), 11)
 * }</pre>
 *
 * @param customEventId the event's type, and which {@link ScheduledEventHandler} runs it
 * @param policyLocator the policy it belongs to, or {@code null} for a tenant event
 * @param repeatInterval time between firings, or {@code null} to fire once
 * @param repeatCount firings after the first
 */
public record Schedule(String customEventId, String policyLocator, Instant startAt, Duration repeatInterval,
    int repeatCount, Map<String, Object> data) {

  public Schedule {
    if (customEventId == null || customEventId.isBlank()) {
      throw new IllegalArgumentException("a schedule needs a customEventId");
    }
    if (startAt == null) {
      throw new IllegalArgumentException("a schedule needs a start time");
    }
    if (repeatCount < 0 || (repeatCount > 0 && (repeatInterval == null || repeatInterval.isNegative() || repeatInterval.isZero()))) {
      throw new IllegalArgumentException("a repeating schedule needs a positive interval and a count >= 0");
    }
    data = data == null ? Map.of() : Map.copyOf(data);
  }

  public static Schedule forPolicy(String policyLocator, String customEventId, Instant at) {
    return new Schedule(customEventId, policyLocator, at, null, 0, Map.of());
  }

  public static Schedule forTenant(String customEventId, Instant at) {
    return new Schedule(customEventId, null, at, null, 0, Map.of());
  }

  public Schedule repeating(Duration interval, int count) {
    return new Schedule(customEventId, policyLocator, startAt, interval, count, data);
  }

  public Schedule withData(Map<String, Object> data) {
    return new Schedule(customEventId, policyLocator, startAt, repeatInterval, repeatCount, data);
  }
}
