package io.tidemark.gateway.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;

/**
 * Delivery's meters on this instance: attempts by outcome, events given up after their last
 * retry, subscriptions disabled, and how long after its commit an event was delivered.
 */
final class DeliveryMetrics {

  private final Counter delivered;
  private final Counter failed;
  private final Counter givenUp;
  private final Counter disabled;
  private final Timer lag;

  DeliveryMetrics(MeterRegistry registry) {
    delivered = attempts(registry, "delivered");
    failed = attempts(registry, "failed");
    givenUp = Counter.builder("tidemark.delivery.given.up")
        .description("Events given up after their last retry (delivery moved on)").register(registry);
    disabled = Counter.builder("tidemark.delivery.disabled")
        .description("Subscriptions disabled for failing longer than delivery.disableAfterHours").register(registry);
    lag = Timer.builder("tidemark.delivery.lag")
        .description("From an event's commit to its delivery's 2xx (retries and replays included)")
        .publishPercentileHistogram().register(registry);
  }

  private static Counter attempts(MeterRegistry registry, String outcome) {
    return Counter.builder("tidemark.delivery.attempts")
        .description("Delivery attempts: delivered (a 2xx in time) or failed (anything else; retried)")
        .tag("outcome", outcome).register(registry);
  }

  void delivered(Instant committed) {
    delivered.increment();
    lag.record(Duration.between(committed, Instant.now()));
  }

  void failed() {
    failed.increment();
  }

  void gaveUp() {
    givenUp.increment();
  }

  void disabled() {
    disabled.increment();
  }
}
