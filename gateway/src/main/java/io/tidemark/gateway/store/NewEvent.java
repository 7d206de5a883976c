package io.tidemark.gateway.store;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/** An event to append: its type and its JSON data. */
public record NewEvent(String type, JsonObject data) {
  public NewEvent {
    Objects.requireNonNull(type, "type");
    data = data == null ? new JsonObject() : data;
  }
}
