package io.tidemark.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probes, without authentication:
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process answers HTTP at all (a liveness probe
 *       restarts a process that stops answering; it must not restart one whose database is down);
 *   <li>{@code GET /health/ready}: 200 when every {@link HealthCheck} passes (database, migrations,
 *       plugins, scheduler) and the gateway is not shutting down, else 503 with {@code Retry-After}
 *       and the failing checks' reasons: a load balancer sends traffic only to ready instances;
 *   <li>{@code GET /health}: the database alone, as it always was.
 * </ul>
 */
public final class HealthRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(HealthRoutes.class);

  /**
   * Probes (load balancers, orchestrators) give up after a second or a few; a verdict after theirs
   * is no verdict. A check that takes longer than this (waiting for a pool connection included)
   * has failed.
   */
  static final long TIMEOUT_MILLIS = 2000;

  private final Pool pool;
  private final List<HealthCheck> checks;
  private final BooleanSupplier stopping;

  /** @param stopping true once shutdown began: readiness fails first, so balancers stop sending traffic */
  public HealthRoutes(Pool pool, List<HealthCheck> checks, BooleanSupplier stopping) {
    this.pool = pool;
    this.checks = List.copyOf(checks);
    this.stopping = stopping;
  }

  /** Readiness on the database alone (routers assembled without the rest of a gateway). */
  public HealthRoutes(Pool pool) {
    this(pool, List.of(database(pool)), () -> false);
  }

  public void mount(Router router) {
    router.get("/health").handler(this::health);
    router.get("/health/live").handler(ctx -> Responses.json(ctx, 200,
        new JsonObject().put("status", "UP").put("checks", new JsonObject())));
    router.get("/health/ready").handler(this::ready);
  }

  /** A database check: it answers {@code SELECT 1}. */
  public static HealthCheck database(Pool pool) {
    return new HealthCheck("database", () -> pool.query("SELECT 1").execute().mapEmpty());
  }

  private void health(RoutingContext ctx) {
    pool.query("SELECT 1").execute()
        .timeout(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onSuccess(rows -> Responses.json(ctx, 200, status("UP")))
        .onFailure(failure -> {
          LOG.warn("health check: the database does not answer: {}", failure.toString());
          ctx.response().putHeader("Retry-After", Long.toString(FailureHandler.STORE_RETRY_AFTER_SECONDS));
          Responses.json(ctx, 503, status("DOWN"));
        });
  }

  private void ready(RoutingContext ctx) {
    List<Future<String>> verdicts = new ArrayList<>();
    for (HealthCheck check : checks) {
      Future<Void> probe;
      try {
        probe = check.probe().get();
      } catch (RuntimeException e) {
        probe = Future.failedFuture(e);
      }
      verdicts.add(probe.timeout(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
          .map((String) null)
          .otherwise(failure -> failure.getMessage() == null ? failure.toString() : failure.getMessage()));
    }
    Future.join(verdicts).onComplete(all -> {
      JsonObject states = new JsonObject();
      JsonObject reasons = new JsonObject();
      for (int i = 0; i < checks.size(); i++) {
        String reason = verdicts.get(i).result();
        states.put(checks.get(i).name(), reason == null ? "UP" : "DOWN");
        if (reason != null) {
          reasons.put(checks.get(i).name(), reason);
        }
      }
      if (stopping.getAsBoolean()) {
        states.put("shutdown", "DOWN");
        reasons.put("shutdown", "the gateway is shutting down: it finishes the requests it has and takes no new ones");
      }
      JsonObject body = new JsonObject().put("status", reasons.isEmpty() ? "UP" : "DOWN").put("checks", states);
      if (!reasons.isEmpty()) {
        body.put("reasons", reasons);
        LOG.warn("not ready: {}", reasons.encode());
        ctx.response().putHeader("Retry-After", Long.toString(FailureHandler.STORE_RETRY_AFTER_SECONDS));
      }
      Responses.json(ctx, reasons.isEmpty() ? 200 : 503, body);
    });
  }

  private static JsonObject status(String database) {
    return new JsonObject().put("status", database).put("checks", new JsonObject().put("database", database));
  }
}
