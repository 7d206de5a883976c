package io.tidemark.gateway.plugins;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Plugin calls' meters: each call's latency by plugin, operation and outcome, the time calls
 * waited for a plugin thread, and each plugin's queue depth and running calls. Plugins and their
 * operations come from installed jars and config, so the label values stay a bounded set.
 */
final class PluginCallMetrics {

  /** How a call ended, as the {@code outcome} label says it. */
  enum Outcome {
    /** The plugin's code returned. */
    OK,
    /** It threw (an operation's own 4xx included). */
    ERROR,
    /** It did not finish within its time limit (504). */
    TIMEOUT,
    /** It never ran: queue full, queue wait over, or plugin stopped (503). */
    REJECTED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final PluginRuntime runtime;
  private final Map<String, Timer> calls = new ConcurrentHashMap<>();
  private final Map<String, Timer> waits = new ConcurrentHashMap<>();

  PluginCallMetrics(MeterRegistry registry, PluginRuntime runtime) {
    this.registry = registry;
    this.runtime = runtime;
  }

  void call(String plugin, String op, Outcome outcome, long nanos) {
    calls.computeIfAbsent(plugin + '\0' + op + '\0' + outcome, key -> Timer.builder("tidemark.plugin.calls")
            .description("Plugin calls, from the start of the plugin's code to its outcome (rejected: to the refusal)")
            .tags("plugin", plugin, "op", op, "outcome", outcome.label())
            .publishPercentileHistogram()
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void waited(String plugin, long nanos) {
    waits.computeIfAbsent(plugin, id -> {
      // The plugin's gauges come with its first call: plugins may be loaded while the gateway runs.
      Gauge.builder("tidemark.plugin.queue.depth", () -> runtime.pool(id).queued())
          .description("Calls waiting for one of the plugin's threads").tag("plugin", id).register(registry);
      Gauge.builder("tidemark.plugin.in.flight", () -> runtime.pool(id).inFlight())
          .description("Calls running on the plugin's threads, abandoned (timed-out) ones included").tag("plugin", id)
          .register(registry);
      return Timer.builder("tidemark.plugin.queue.wait")
          .description("How long calls waited for a plugin thread (0 when one was free)")
          .tag("plugin", id).publishPercentileHistogram().register(registry);
    }).record(nanos, TimeUnit.NANOSECONDS);
  }
}
