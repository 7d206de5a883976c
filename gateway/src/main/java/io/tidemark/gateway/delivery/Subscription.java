package io.tidemark.gateway.delivery;

import io.tidemark.gateway.http.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** One subscription row, as the routes and the deliverer use it. */
record Subscription(UUID id, UUID tenant, String url, List<String> types, String description, String secret,
    String previousSecret, OffsetDateTime previousSecretUntil, String status, String disabledReason,
    OffsetDateTime createdAt, long afterPosition, int attempt, OffsetDateTime failingSince) {

  static final String COLUMNS = "id, tenant_locator, url, types, description, secret, previous_secret, previous_secret_until,"
      + " status, disabled_reason, created_at, after_position, attempt, failing_since";

  static Subscription from(Row row) {
    return new Subscription(row.getUUID("id"), row.getUUID("tenant_locator"), row.getString("url"),
        Arrays.asList(row.getArrayOfStrings("types")), row.getString("description"), row.getString("secret"),
        row.getString("previous_secret"), row.getOffsetDateTime("previous_secret_until"), row.getString("status"),
        row.getString("disabled_reason"), row.getOffsetDateTime("created_at"), row.getLong("after_position"),
        row.getInteger("attempt"), row.getOffsetDateTime("failing_since"));
  }

  /** The API's view; the secret only where asked for (creation and rotation). */
  JsonObject toJson(boolean withSecret) {
    JsonObject json = new JsonObject()
        .put("id", id.toString())
        .put("url", url)
        .put("types", new JsonArray(types))
        .put("description", description)
        .put("status", status)
        .put("createdAt", Timestamps.format(createdAt));
    if (disabledReason != null) {
      json.put("disabledReason", disabledReason);
    }
    if (withSecret) {
      json.put("secret", secret);
    }
    return json;
  }
}
