package io.tidemark.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers. */
public final class Responses {

  // Jackson's streaming generator straight into the response buffer: Json.encode goes through
  // databind (serializer lookups per map) and a String first, a measurable share of a webhook's CPU.
  private static final JacksonCodec STREAMING = new JacksonCodec();

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

  /** The same bytes as {@code Json.encode}; values only databind knows (none in our answers, so far) go through it. */
  static Buffer encode(Object body) {
    try {
      return STREAMING.toBuffer(body, false);
    } catch (EncodeException onlyDatabindKnowsIt) {
      return Json.encodeToBuffer(body);
    }
  }
}
