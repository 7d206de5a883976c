package io.tidemark.gateway.config;

import java.util.List;

/**
 * Outbound subscriptions' delivery (docs/subscriptions.md).
 *
 * @param retrySeconds the waits between a failed attempt and the next, one per retry (default 5 s,
 *     5 min, 30 min, 2 h, 5 h, 10 h, 10 h); after the last the event is given up and delivery moves on
 * @param disableAfterHours a subscription failing this long without a success is disabled (default 120, five days)
 * @param allowLoopback deliver to 127.0.0.0/8 and ::1 (development only; the demo config allows it)
 * @param allowPrivate deliver to private, link-local and other non-public addresses
 * @param timeoutMillis connecting plus answering, per attempt (default 10000)
 * @param leaseSeconds how long an instance owns a subscription it delivers; another takes over after it
 * @param pollMillis how often an instance looks for subscriptions with events due (default 500)
 * @param concurrency subscriptions one instance delivers at once (default 32)
 */
public record DeliveryConfig(List<Integer> retrySeconds, Integer disableAfterHours, Boolean allowLoopback,
    Boolean allowPrivate, Integer timeoutMillis, Integer leaseSeconds, Integer pollMillis, Integer concurrency) {

  public DeliveryConfig {
    retrySeconds = retrySeconds == null ? List.of(5, 300, 1800, 7200, 18000, 36000, 36000) : List.copyOf(retrySeconds);
    disableAfterHours = disableAfterHours == null ? 120 : disableAfterHours;
    allowLoopback = allowLoopback != null && allowLoopback;
    allowPrivate = allowPrivate != null && allowPrivate;
    timeoutMillis = timeoutMillis == null ? 10_000 : timeoutMillis;
    leaseSeconds = leaseSeconds == null ? 30 : leaseSeconds;
    pollMillis = pollMillis == null ? 500 : pollMillis;
    concurrency = concurrency == null ? 32 : concurrency;
  }

  static DeliveryConfig defaults() {
    return new DeliveryConfig(null, null, null, null, null, null, null, null);
  }
}
