package io.tidemark.gateway.stream;

import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** {@code EventResponse} of seed 003. */
final class EventJson {

  // ISO-8601 UTC with exactly three fraction digits, the store's precision.
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private EventJson() {}

  static JsonObject of(StoredEvent event) {
    return new JsonObject()
        .put("locator", event.locator())
        .put("userLocator", event.userLocator() == null ? null : event.userLocator().toString())
        .put("requestId", event.requestId())
        .put("timestamp", timestamp(event.timestamp()))
        .put("type", event.type())
        .put("data", event.data());
  }

  static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }
}
