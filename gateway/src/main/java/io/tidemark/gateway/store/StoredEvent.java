package io.tidemark.gateway.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as committed: {@code position} is its place in the tenant's stream.
 *
 * @param dataJson the event's data as JSON text, as the store keeps it: readers send it on as
 *     it is, without parsing it into objects and writing it again (docs/event-store.md)
 */
public record StoredEvent(
    UUID tenantLocator,
    long position,
    String locator,
    UUID userLocator,
    String requestId,
    Instant timestamp,
    String type,
    String dataJson) {

  /**
   * The columns {@link #fromRow} reads, for the SELECTs that return events: first in the select
   * list, in this order. The data as text: the pg client would parse {@code jsonb} into a
   * JsonObject, which every reader of events then encoded again.
   */
  public static final String COLUMNS =
      "tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data::text AS data";

  /** The data, parsed: for the few who look inside it. */
  public JsonObject data() {
    return new JsonObject(dataJson);
  }

  /**
   * Equal when every field is, the data compared as JSON values: an appended event's text is
   * the caller's ({"a":1}), a read one's is PostgreSQL's ({"a": 1}), the same event either way.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof StoredEvent e
        && position == e.position
        && Objects.equals(tenantLocator, e.tenantLocator)
        && Objects.equals(locator, e.locator)
        && Objects.equals(userLocator, e.userLocator)
        && Objects.equals(requestId, e.requestId)
        && Objects.equals(timestamp, e.timestamp)
        && Objects.equals(type, e.type)
        && data().equals(e.data());
  }

  @Override
  public int hashCode() {
    // The data left out: equal events have equal JSON but not always equal text.
    return Objects.hash(tenantLocator, position, locator, userLocator, requestId, timestamp, type);
  }

  /**
   * Reads by index, in {@link #COLUMNS}' order: a lookup by name is a linear search of the
   * column names, eight per event, a measurable share of a 100-event page's CPU.
   */
  public static StoredEvent fromRow(Row row) {
    return new StoredEvent(
        row.getUUID(0),
        row.getLong(1),
        row.getString(2),
        row.getUUID(3),
        row.getString(4),
        row.getOffsetDateTime(5).toInstant(),
        row.getString(6),
        row.getString(7));
  }
}
