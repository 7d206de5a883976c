package io.tidemark.gateway.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;

/**
 * The one way request bodies are read: a JSON object, or a 400 that says what is wrong.
 *
 * <p>Besides malformed JSON it refuses what PostgreSQL cannot store, so that a bad body fails its
 * own request at the boundary instead of the group-commit transaction it would share with other
 * requests: the NUL character ({@code \u0000}, which neither {@code text} nor {@code jsonb}
 * accepts), unpaired UTF-16 surrogates (no UTF-8 form), and numbers too large for a double
 * ({@code 1e400} would otherwise become Infinity, which is not JSON).
 */
public final class JsonBodies {

  private JsonBodies() {}

  /**
   * A body read: the object, or the sentence that says why there is none.
   *
   * @param notAnObject the body is blank, malformed or another JSON value (else it is an object
   *     holding something PostgreSQL cannot store)
   */
  public record Parsed(JsonObject object, String problem, boolean notAnObject) {
    public boolean ok() {
      return problem == null;
    }
  }

  /** The body as a JSON object; a 400 {@code INVALID_BODY} naming the problem otherwise. */
  public static JsonObject object(String raw) {
    Parsed parsed = parse(raw);
    if (!parsed.ok()) {
      throw ApiException.badBody(parsed.problem());
    }
    return parsed.object();
  }

  /** The body as a JSON object, or why it is not one, for callers that answer a bad body themselves. */
  public static Parsed parse(String raw) {
    if (raw == null || raw.isBlank()) {
      return new Parsed(null, "a JSON object is required", true);
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(raw);
    } catch (DecodeException e) {
      return new Parsed(null, "not valid JSON", true);
    }
    if (!(parsed instanceof JsonObject object)) {
      return new Parsed(null, "must be a JSON object", true);
    }
    return unstorable(object, "$").map(problem -> new Parsed(null, problem, false))
        .orElse(new Parsed(object, null, false));
  }

  /** What in {@code value} PostgreSQL could not store, naming where it is ({@code $.a.b[2]}); empty if nothing. */
  public static Optional<String> unstorable(Object value, String path) {
    if (value instanceof String s) {
      return unstorableText(s).map(problem -> path + " " + problem);
    }
    if (value instanceof Double d && (d.isInfinite() || d.isNaN())) {
      return Optional.of(path + " is a number out of range");
    }
    if (value instanceof Float f && (f.isInfinite() || f.isNaN())) {
      return Optional.of(path + " is a number out of range");
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> e : object) {
        Optional<String> key = unstorableText(e.getKey()).map(problem -> path + " has a key that " + problem);
        if (key.isPresent()) {
          return key;
        }
        Optional<String> inner = unstorable(e.getValue(), path + "." + e.getKey());
        if (inner.isPresent()) {
          return inner;
        }
      }
    }
    if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        Optional<String> inner = unstorable(array.getValue(i), path + "[" + i + "]");
        if (inner.isPresent()) {
          return inner;
        }
      }
    }
    return Optional.empty();
  }

  /** Why text cannot be stored in PostgreSQL ("contains a NUL character"), or empty. */
  public static Optional<String> unstorableText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return Optional.of("contains a NUL character (\\u0000)");
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return Optional.of("contains an unpaired UTF-16 surrogate");
      }
      if (Character.isLowSurrogate(c)) {
        return Optional.of("contains an unpaired UTF-16 surrogate");
      }
    }
    return Optional.empty();
  }
}
