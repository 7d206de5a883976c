package io.tidemark.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health}: no authentication; 200 when the database answers, 503 with
 * {@code Retry-After} when it does not answer within {@link #TIMEOUT_MILLIS}.
 */
public final class HealthRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(HealthRoutes.class);

  /**
   * Probes (load balancers, orchestrators) give up after a second or a few; a verdict after theirs
   * is no verdict. A database that takes longer than this to answer {@code SELECT 1}, waiting for a
   * pool connection included, is not one to send traffic to.
   */
  static final long TIMEOUT_MILLIS = 2000;

  private final Pool pool;

  public HealthRoutes(Pool pool) {
    this.pool = pool;
  }

  public void mount(Router router) {
    router.get("/health").handler(this::health);
  }

  private void health(RoutingContext ctx) {
    pool.query("SELECT 1").execute()
        .timeout(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onSuccess(rows -> Responses.json(ctx, 200, status("UP")))
        .onFailure(failure -> {
          LOG.warn("request {}: health check: the database does not answer: {}", RequestIds.of(ctx), failure.toString());
          ctx.response().putHeader("Retry-After", Long.toString(FailureHandler.STORE_RETRY_AFTER_SECONDS));
          Responses.json(ctx, 503, status("DOWN"));
        });
  }

  private static JsonObject status(String database) {
    return new JsonObject().put("status", database).put("checks", new JsonObject().put("database", database));
  }
}
