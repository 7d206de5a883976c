package io.tidemark.gateway.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** {@code GET /metrics}: the registry in Prometheus' text format, without authentication (scrapers rarely have any). */
public final class MetricsRoutes {

  private final PrometheusMeterRegistry registry;

  public MetricsRoutes(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  public void mount(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }
}
