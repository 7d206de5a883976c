package io.tidemark.gateway.store;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.jackson.JacksonCodec;

/**
 * JSON text for a JsonObject or JsonArray, the same as {@code Json.encode} gives, made with
 * Jackson's streaming generator: {@code Json.encode} goes through databind (a serializer lookup
 * per map and per key), which was a tenth of a webhook call's CPU between the answer and the
 * event's data. Values only databind knows (none of ours, so far) still go through it.
 */
public final class JsonText {

  private static final JacksonCodec STREAMING = new JacksonCodec();

  private JsonText() {}

  public static String string(Object json) {
    try {
      return STREAMING.toString(json, false);
    } catch (EncodeException onlyDatabindKnowsIt) {
      return Json.encode(json);
    }
  }

  public static Buffer buffer(Object json) {
    try {
      return STREAMING.toBuffer(json, false);
    } catch (EncodeException onlyDatabindKnowsIt) {
      return Json.encodeToBuffer(json);
    }
  }
}
