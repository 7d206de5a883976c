package io.tidemark.gateway.stream;

import io.tidemark.gateway.http.Timestamps;
import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** {@code EventResponse} of seed 003. */
public final class EventJson {


  private EventJson() {}

  public static JsonObject of(StoredEvent event) {
    return new JsonObject()
        .put("locator", event.locator())
        .put("userLocator", event.userLocator() == null ? null : event.userLocator().toString())
        .put("requestId", event.requestId())
        .put("timestamp", timestamp(event.timestamp()))
        .put("type", event.type())
        .put("data", event.data());
  }

  static String timestamp(Instant instant) {
    return Timestamps.format(instant);
  }
}
