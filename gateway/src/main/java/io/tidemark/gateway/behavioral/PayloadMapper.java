package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.config.TransformerConfig;
import io.tidemark.gateway.config.WebhookConfig;
import io.tidemark.gateway.plugins.JsonValues;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a webhook payload into an event name and attributes: the first transformer whose match
 * holds, else (unless the webhook requires a mapping) the payload as it is, less its
 * {@code event_name}. A JSON {@code null} is no value: such attributes are left out.
 */
final class PayloadMapper {

  record Mapped(String eventName, Map<String, Object> attributes) {}

  private PayloadMapper() {}

  static Optional<Mapped> map(WebhookConfig webhook, JsonObject payload) {
    for (TransformerConfig t : webhook.transformers()) {
      boolean matches = t.match().entrySet().stream()
          .allMatch(m -> m.getValue().equals(String.valueOf(payload.getValue(m.getKey()))));
      if (matches) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        t.attributes().forEach((name, pointer) -> {
          Object value = JsonPointer.from(pointer).queryJson(payload);
          if (value != null) {
            attributes.put(name, JsonValues.plain(value));
          }
        });
        return Optional.of(new Mapped(t.eventName(), attributes));
      }
    }
    if (webhook.requireMapping()) {
      return Optional.empty();
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    payload.forEach(e -> {
      if (!e.getKey().equals("event_name") && e.getValue() != null) {
        attributes.put(e.getKey(), JsonValues.plain(e.getValue()));
      }
    });
    Object name = payload.getValue("event_name");
    return Optional.of(new Mapped(name instanceof String s ? s : "", attributes));
  }

  /** The event name an attempt claims, for the log entry of one that is not processed; null when there is none. */
  static String claimedEventName(JsonObject payload) {
    return payload != null && payload.getValue("event_name") instanceof String s ? s : null;
  }
}
