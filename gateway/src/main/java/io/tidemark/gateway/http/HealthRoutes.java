package io.tidemark.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/** {@code GET /health}: no authentication; 200 when the database answers, 503 when it does not. */
public final class HealthRoutes {

  private final Pool pool;

  public HealthRoutes(Pool pool) {
    this.pool = pool;
  }

  public void mount(Router router) {
    router.get("/health").handler(this::health);
  }

  private void health(RoutingContext ctx) {
    pool.query("SELECT 1").execute()
        .timeout(5, TimeUnit.SECONDS)
        .onSuccess(rows -> Responses.json(ctx, 200, status("UP")))
        .onFailure(failure -> Responses.json(ctx, 503, status("DOWN")));
  }

  private static JsonObject status(String database) {
    return new JsonObject().put("status", database).put("checks", new JsonObject().put("database", database));
  }
}
