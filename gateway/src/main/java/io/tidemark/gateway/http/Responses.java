package io.tidemark.gateway.http;

import io.tidemark.gateway.store.JsonText;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers. */
public final class Responses {

  private Responses() {}

  /** The {@code /v2} envelope: {@code {"data": data, "warnings": [], "errors": []}}. */
  public static void v2(RoutingContext ctx, int status, Object data) {
    json(ctx, status, new io.vertx.core.json.JsonObject()
        .put("data", data)
        .put("warnings", new io.vertx.core.json.JsonArray())
        .put("errors", new io.vertx.core.json.JsonArray()));
  }

  /** {@code body} is a JsonObject or JsonArray; its {@code encode()} is what goes on the wire. */
  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(encode(body));
  }

  /** {@code body} is JSON text made already. */
  public static void json(RoutingContext ctx, int status, Buffer body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body);
  }

  /** What {@code Json.encode} would give, made faster ({@link JsonText}). */
  static Buffer encode(Object body) {
    return JsonText.buffer(body);
  }
}
