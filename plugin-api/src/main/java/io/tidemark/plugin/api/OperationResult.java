package io.tidemark.plugin.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an operation answers: a status, a JSON body (maps, lists and plain values, or
 * {@code null} for none) and extra response headers.
 */
public record OperationResult(int status, Object body, Map<String, String> headers) {

  public OperationResult {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status must be from 200 to 599, got " + status);
    }
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static OperationResult ok(Object body) {
    return new OperationResult(200, body, Map.of());
  }

  public static OperationResult created(Object body) {
    return new OperationResult(201, body, Map.of());
  }

  public static OperationResult noContent() {
    return new OperationResult(204, null, Map.of());
  }

  /** An error answer without an exception: {@code {"message": message, "code": code}}. */
  public static OperationResult error(int status, String code, String message) {
    if (status < 400) {
      throw new IllegalArgumentException("an error needs a 4xx or 5xx status, got " + status);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", message);
    body.put("code", code);
    return new OperationResult(status, body, Map.of());
  }

  public OperationResult withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new OperationResult(status, body, more);
  }
}
