package io.tidemark.gateway.behavioral;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.UUID;

/**
 * One ingestion attempt, as {@code GET /v2/events/logs} shows it (seed 001). As the seed shows,
 * an unauthorised attempt has no status in the JSON (it is stored as {@code UNAUTHORIZED}, so
 * that the status filter and its index serve it like any other), and a payload that could not
 * be mapped has no event name.
 */
record LogEntry(long seq, UUID id, int orgId, int parentOrgId, String webhookId, String eventName, String status,
    String message, String inputRequest, Instant startTime, int responseTimeMs) {

  static final String COLUMNS = "seq, id, org_id, parent_org_id, webhook_id, event_name, status, message, "
      + "input_request, start_time, response_time_ms";

  static LogEntry fromRow(Row row) {
    return new LogEntry(row.getLong("seq"), row.getUUID("id"), row.getInteger("org_id"), row.getInteger("parent_org_id"),
        row.getString("webhook_id"), row.getString("event_name"), row.getString("status"), row.getString("message"),
        row.getString("input_request"), row.getOffsetDateTime("start_time").toInstant(), row.getInteger("response_time_ms"));
  }

  static final String UNAUTHORIZED = "UNAUTHORIZED";

  /** Exactly the seed's fields, in the seed's order. */
  JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("startTime", startTime.toEpochMilli())
        .put("responseTime", responseTimeMs)
        .put("orgId", orgId);
    if (!status.equals(UNAUTHORIZED)) {
      json.put("status", status);
    }
    if (eventName != null) {
      json.put("eventName", eventName);
    }
    return json
        .put("inputRequest", inputRequest)
        .put("id", id.toString())
        .put("webhookId", webhookId)
        .put("parentOrgId", parentOrgId)
        .put("message", message);
  }
}
