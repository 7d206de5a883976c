package io.tidemark.gateway.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The group commit's meters: each shared transaction's latency and outcome, how many calls and
 * events it carried, and the events committed per tenant (tenants come from config: a bounded set).
 */
final class AppendMetrics {

  private final MeterRegistry registry;
  private final Timer committed;
  private final Timer failed;
  private final DistributionSummary calls;
  private final DistributionSummary events;
  private final Counter retriedAlone;
  private final Map<UUID, Counter> eventsByTenant = new ConcurrentHashMap<>();

  AppendMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.committed = batchTimer(registry, "committed");
    this.failed = batchTimer(registry, "failed");
    this.calls = DistributionSummary.builder("tidemark.store.batch.calls")
        .description("Calls (API requests, firings) per group-commit transaction")
        .publishPercentileHistogram().maximumExpectedValue(10_000.0).register(registry);
    this.events = DistributionSummary.builder("tidemark.store.batch.events")
        .description("Events per group-commit transaction")
        .publishPercentileHistogram().maximumExpectedValue(100_000.0).register(registry);
    this.retriedAlone = Counter.builder("tidemark.store.batch.split")
        .description("Shared transactions that failed with a data error and were retried member by member")
        .register(registry);
  }

  private static Timer batchTimer(MeterRegistry registry, String outcome) {
    return Timer.builder("tidemark.store.batch")
        .description("Group-commit transactions, from BEGIN to COMMIT's answer")
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry);
  }

  void committed(List<AppendRequest> batch, long nanos) {
    committed.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    calls.record(batch.size());
    int total = 0;
    for (AppendRequest request : batch) {
      total += request.events().size();
      if (!request.events().isEmpty()) {
        eventsByTenant.computeIfAbsent(request.tenantLocator(), tenant -> Counter.builder("tidemark.events.committed")
                .description("Events committed to the store, by tenant locator")
                .tag("tenant", tenant.toString())
                .register(registry))
            .increment(request.events().size());
      }
    }
    events.record(total);
  }

  void failed(long nanos) {
    failed.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  void split() {
    retriedAlone.increment();
  }
}
