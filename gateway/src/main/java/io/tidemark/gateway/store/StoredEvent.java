package io.tidemark.gateway.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.UUID;

/** An event as committed: {@code position} is its place in the tenant's stream. */
public record StoredEvent(
    UUID tenantLocator,
    long position,
    String locator,
    UUID userLocator,
    String requestId,
    Instant timestamp,
    String type,
    JsonObject data) {

  /** The columns {@link #fromRow} reads, for the SELECTs that return events. */
  public static final String COLUMNS =
      "tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data";

  public static StoredEvent fromRow(Row row) {
    return new StoredEvent(
        row.getUUID("tenant_locator"),
        row.getLong("position"),
        row.getString("locator"),
        row.getUUID("user_locator"),
        row.getString("request_id"),
        row.getOffsetDateTime("recorded_at").toInstant(),
        row.getString("type"),
        (JsonObject) row.getValue("data"));
  }
}
