package io.tidemark.gateway.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidemark.gateway.config.MetricsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.EnumSet;

/**
 * One gateway's meter registry and the Vert.x instance that reports into it. Each gateway has a
 * registry of its own (never Micrometer's global one), so two gateways in one JVM, as in the
 * tests, never mix their figures.
 *
 * <p>Vert.x reports HTTP server requests labelled by method, status code and <em>route
 * template</em> (never the raw path: one series per route, not per tenant or locator), the SQL
 * pools and its own worker pools; Tidemark's packages add theirs (see docs/operations.md#metrics).
 */
public final class GatewayMetrics {

  private GatewayMetrics() {}

  /** An empty registry: {@link #vertx} binds the JVM's and the process's meters to it. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * The JVM's and the process's meters. After Vert.x's metrics are set up: they add a meter
   * filter, and a filter added after a meter was registered would not apply to it.
   */
  public static PrometheusMeterRegistry bindJvm(PrometheusMeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return registry;
  }

  /** A Vert.x instance reporting into {@code registry}; without metrics when {@code config} disables them. */
  public static Vertx vertx(VertxOptions options, MetricsConfig config, PrometheusMeterRegistry registry) {
    if (!config.enabled()) {
      return Vertx.vertx(options);
    }
    Vertx vertx = build(options, registry);
    bindJvm(registry);
    return vertx;
  }

  private static Vertx build(VertxOptions options, PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        // Vert.x keeps backends by registry name, JVM-wide: under a shared name a second Vert.x
        // instance (a second gateway in one JVM, as in the tests) would report into the first's registry.
        .setRegistryName("tidemark-" + java.util.UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME))
        // Nothing of ours uses the event bus, and raw TCP figures add nothing to the HTTP ones.
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET);
    return Vertx.builder()
        .with(options.setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }
}
