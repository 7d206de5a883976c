package io.tidemark.gateway.plugins;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Between the plugin API's plain Java values and Vert.x JSON. */
public final class JsonValues {

  /** A value that has no JSON form; the message says where it is. */
  public static final class NotJsonException extends IllegalArgumentException {
    NotJsonException(String message) {
      super(message);
    }
  }

  private static final int MAX_DEPTH = 64;

  private JsonValues() {}

  /** Event data from a plugin; refuses anything that is not JSON, naming where it is. */
  public static JsonObject toJson(Map<String, ?> data) {
    return data == null ? new JsonObject() : object(data, "data", 0);
  }

  /** A response body from a plugin: a JSON object, array or plain value. */
  static Object toJsonValue(Object body) {
    return value(body, "body", 0);
  }

  private static JsonObject object(Map<?, ?> map, String path, int depth) {
    JsonObject json = new JsonObject();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new NotJsonException(path + ": keys must be strings, got " + typeOf(e.getKey()));
      }
      json.put(key, value(e.getValue(), path + "." + key, depth + 1));
    }
    return json;
  }

  private static Object value(Object v, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new NotJsonException(path + ": nested deeper than " + MAX_DEPTH + " levels");
    }
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
        || v instanceof Short || v instanceof Byte || v instanceof BigInteger || v instanceof BigDecimal) {
      return v;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NotJsonException(path + ": " + d + " is not a JSON number");
      }
      return v;
    }
    if (v instanceof TemporalAccessor || v instanceof UUID || v instanceof Enum<?>) {
      return v.toString();
    }
    if (v instanceof Map<?, ?> map) {
      return object(map, path, depth);
    }
    if (v instanceof Collection<?> list) {
      JsonArray array = new JsonArray();
      int i = 0;
      for (Object item : list) {
        array.add(value(item, path + "[" + i++ + "]", depth + 1));
      }
      return array;
    }
    throw new NotJsonException(path + ": " + typeOf(v) + " is not a JSON value "
        + "(use maps, lists, strings, numbers, booleans, null or java.time values)");
  }

  /** A JSON object as plain Java maps and lists, for plugins. */
  public static Map<String, Object> toPlain(JsonObject json) {
    Map<String, Object> map = new LinkedHashMap<>();
    json.forEach(e -> map.put(e.getKey(), plain(e.getValue())));
    return map;
  }

  /** Any JSON value as plain Java values. */
  public static Object plain(Object v) {
    if (v instanceof JsonObject o) {
      return toPlain(o);
    }
    if (v instanceof JsonArray a) {
      List<Object> list = new ArrayList<>(a.size());
      a.forEach(item -> list.add(plain(item)));
      return list;
    }
    return v;
  }

  private static String typeOf(Object v) {
    return v == null ? "null" : "a " + v.getClass().getName();
  }
}
