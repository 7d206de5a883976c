package io.tidemark.gateway.behavioral;

import io.tidemark.plugin.api.EventField;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A behavioral event definition, as stored and as the API shows it. */
record Definition(String eventName, String description, List<String> actions, List<Field> fields) {

  /**
   * @param regex the {@code regex} attribute compiled, for a string field that has one: compiled
   *     once, when the definition is parsed or loaded, never per event
   */
  record Field(String name, String type, Map<String, Object> attributes, Optional<FieldRegex> regex) {
    boolean required() {
      return Boolean.TRUE.equals(attributes.get("isRequired"));
    }

    EventField forPlugins() {
      return new EventField(name, type, attributes);
    }
  }

  /** Whether checking a value may run a regex (then it belongs on a worker thread). */
  boolean hasRegex() {
    return fields.stream().anyMatch(f -> f.regex().isPresent());
  }

  /** Compiles every field's regex now, so that checks need no compiling; off the event loop. */
  Definition prepared() {
    fields.forEach(f -> f.regex().ifPresent(FieldRegex::prepare));
    return this;
  }

  JsonObject toJson() {
    JsonArray fieldsJson = new JsonArray();
    for (Field f : fields) {
      JsonObject field = new JsonObject().put("name", f.name()).put("type", f.type());
      if (!f.attributes().isEmpty()) {
        field.put("attributes", new JsonObject(new java.util.LinkedHashMap<>(f.attributes())));
      }
      fieldsJson.add(field);
    }
    return new JsonObject()
        .put("eventName", eventName)
        .put("description", description)
        .put("actions", new JsonArray(actions))
        .put("fields", fieldsJson);
  }

  /** Back from the JSON {@link #toJson} wrote (already valid when it was stored). */
  static Definition fromJson(JsonObject json) {
    List<Field> fields = json.getJsonArray("fields").stream().map(o -> (JsonObject) o)
        .map(f -> {
          Map<String, Object> attributes = f.getJsonObject("attributes") == null ? Map.of()
              : f.getJsonObject("attributes").getMap();
          Optional<FieldRegex> regex = attributes.get("regex") instanceof String s
              ? Optional.of(FieldRegex.stored(s)) : Optional.empty();
          return new Field(f.getString("name"), f.getString("type"), attributes, regex);
        })
        .toList();
    return new Definition(json.getString("eventName"), json.getString("description"),
        json.getJsonArray("actions").stream().map(Object::toString).toList(), fields);
  }
}
