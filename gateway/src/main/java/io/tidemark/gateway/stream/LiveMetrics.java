package io.tidemark.gateway.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live tail's meters: connections open on this instance, events written to them, and
 * connections the gateway closed itself (a client that stopped reading: {@code reason="slow"}).
 */
final class LiveMetrics {

  private final AtomicInteger connections = new AtomicInteger();
  private final Counter events;
  private final Counter slowDisconnects;

  LiveMetrics(MeterRegistry registry) {
    Gauge.builder("tidemark.live.connections", connections, AtomicInteger::get)
        .description("Live tail connections open on this instance").register(registry);
    events = Counter.builder("tidemark.live.events")
        .description("Events written to live tail connections").register(registry);
    slowDisconnects = Counter.builder("tidemark.live.disconnects")
        .description("Live tail connections the gateway closed: slow (the client read nothing for live.slowClientSeconds)")
        .tag("reason", "slow").register(registry);
  }

  void opened() {
    connections.incrementAndGet();
  }

  void closed() {
    connections.decrementAndGet();
  }

  void sent(int count) {
    events.increment(count);
  }

  void disconnectedSlow() {
    slowDisconnects.increment();
  }
}
