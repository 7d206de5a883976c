package io.tidemark.gateway.http;

import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers. */
public final class Responses {

  private Responses() {}

  /** {@code body} is a JsonObject or JsonArray; its {@code encode()} is what goes on the wire. */
  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(io.vertx.core.json.Json.encode(body));
  }
}
