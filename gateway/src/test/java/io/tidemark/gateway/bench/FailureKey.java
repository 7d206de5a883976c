package io.tidemark.gateway.bench;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Names a failed call by its status and the most specific code its body carries, so that a
 * row's failures group into a few readable counts ({@code 422 EMF_PROCESSOR_FAILED}).
 */
final class FailureKey {

  private static final int MAX_MESSAGE = 48;

  private FailureKey() {}

  /**
   * {@code {message, code}} bodies give {@code code}; {@code /v2} envelopes give the log entry's
   * {@code data.status}, else the first error's message (its numeric code only repeats the status).
   */
  static String of(int status, String body) {
    String detail = detail(body);
    return detail == null ? Integer.toString(status) : status + " " + detail;
  }

  static String of(Throwable error) {
    return "ERR " + error.getClass().getSimpleName();
  }

  private static String detail(String body) {
    JsonObject json;
    try {
      json = body == null || body.isBlank() ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
    if (json == null) {
      return null;
    }
    if (json.getValue("code") instanceof String code) {
      return code;
    }
    if (json.getValue("data") instanceof JsonObject data && data.getValue("status") instanceof String status) {
      return status;
    }
    if (json.getValue("errors") instanceof JsonArray errors && !errors.isEmpty()
        && errors.getValue(0) instanceof JsonObject first && first.getValue("message") instanceof String message) {
      return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message;
    }
    return null;
  }
}
