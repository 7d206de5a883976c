package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.behavioral.DefinitionError.INVALID_DEFINITION;
import static io.tidemark.gateway.behavioral.DefinitionError.INVALID_EVENT_NAME;
import static io.tidemark.gateway.behavioral.DefinitionError.INVALID_FIELD_ATTRIBUTE;
import static io.tidemark.gateway.behavioral.DefinitionError.INVALID_FIELD_NAME;
import static io.tidemark.gateway.behavioral.DefinitionError.INVALID_FIELD_TYPE;
import static io.tidemark.gateway.behavioral.DefinitionError.UNKNOWN_ACTION;

import io.tidemark.gateway.http.JsonBodies;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Turns a request body into a {@link Definition}, or a 400 with the documented code naming what is wrong. */
final class DefinitionParser {

  static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
  static final List<String> TYPES = List.of("string", "number", "boolean", "date", "enum", "customer");
  // Paths under /v2/events that are not definitions.
  private static final Set<String> RESERVED_NAMES = Set.of("logs", "audit_logs");
  private static final Set<String> KEYS = Set.of("eventName", "description", "actions", "fields");
  private static final Set<String> FIELD_KEYS = Set.of("name", "type", "attributes");
  private static final Set<String> ATTRIBUTE_KEYS = Set.of("isRequired", "enumValues", "identifierType", "regex");

  private DefinitionParser() {}

  /** @param knownAction whether a processor of that id is started */
  static Definition parse(String raw, Predicate<String> knownAction) {
    JsonObject json;
    try {
      json = new JsonObject(raw == null ? "" : raw);
    } catch (DecodeException | ClassCastException e) {
      throw INVALID_DEFINITION.with("The body must be a JSON object with eventName, description, actions and fields");
    }
    unknownKeys(json, KEYS, "");
    // What PostgreSQL cannot store (NUL, lone surrogates) would otherwise fail the insert as a 500.
    JsonBodies.unstorable(json, "$").ifPresent(problem -> {
      throw INVALID_DEFINITION.with("The definition cannot be stored: " + problem);
    });
    Object name = json.getValue("eventName");
    if (!(name instanceof String eventName) || !EVENT_NAME.matcher(eventName).matches()) {
      throw INVALID_EVENT_NAME.with("eventName must be 1 to 100 letters, digits, '_' or '-', got " + describe(name));
    }
    if (RESERVED_NAMES.contains(eventName)) {
      throw INVALID_EVENT_NAME.with("eventName '" + eventName + "' is reserved");
    }
    Object description = json.getValue("description");
    if (description != null && !(description instanceof String)) {
      throw INVALID_DEFINITION.with("description must be a string");
    }
    return new Definition(eventName, description == null ? "" : (String) description,
        actions(json.getValue("actions"), knownAction), fields(json.getValue("fields")));
  }

  private static List<String> actions(Object value, Predicate<String> knownAction) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw INVALID_DEFINITION.with("actions must be an array of processor ids");
    }
    List<String> actions = new ArrayList<>();
    for (Object action : array) {
      if (!(action instanceof String id) || id.isBlank()) {
        throw INVALID_DEFINITION.with("actions must be an array of processor ids, got " + describe(action));
      }
      if (!knownAction.test(id)) {
        throw UNKNOWN_ACTION.with("Unknown action '" + id + "': no started plugin provides a processor of that id");
      }
      actions.add(id);
    }
    return List.copyOf(actions);
  }

  private static List<Definition.Field> fields(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw INVALID_DEFINITION.with("fields must be an array");
    }
    List<Definition.Field> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject field)) {
        throw INVALID_DEFINITION.with("fields[" + i + "] must be an object with name, type and attributes");
      }
      String key = "fields[" + i + "]";
      unknownKeys(field, FIELD_KEYS, key + ".");
      Object name = field.getValue("name");
      if (!(name instanceof String fieldName) || fieldName.isBlank() || fieldName.length() > 100) {
        throw INVALID_FIELD_NAME.with(key + ".name must be a non-empty string of at most 100 characters");
      }
      if (!names.add(fieldName) || fieldName.equals("event_name")) {
        throw INVALID_FIELD_NAME.with(key + ".name '" + fieldName + "' is used twice or reserved");
      }
      Object type = field.getValue("type");
      if (!(type instanceof String fieldType) || !TYPES.contains(fieldType)) {
        throw INVALID_FIELD_TYPE.with(key + ".type of field '" + fieldName + "' must be one of " + TYPES + ", got " + describe(type));
      }
      Map<String, Object> attributes = attributes(field.getValue("attributes"), fieldName, fieldType, key);
      fields.add(new Definition.Field(fieldName, fieldType, attributes, regex(attributes, fieldName, key)));
    }
    return List.copyOf(fields);
  }

  private static Map<String, Object> attributes(Object value, String field, String type, String key) {
    if (value == null) {
      if (type.equals("enum")) {
        throw INVALID_FIELD_ATTRIBUTE.with(key + ": enum field '" + field + "' needs attributes.enumValues");
      }
      return Map.of();
    }
    if (!(value instanceof JsonObject attributes)) {
      throw INVALID_FIELD_ATTRIBUTE.with(key + ".attributes must be an object");
    }
    for (String name : attributes.fieldNames()) {
      if (!ATTRIBUTE_KEYS.contains(name)) {
        throw INVALID_FIELD_ATTRIBUTE.with(key + ".attributes." + name + " is not an attribute; use " + ATTRIBUTE_KEYS);
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    Object required = attributes.getValue("isRequired");
    if (required != null) {
      if (!(required instanceof Boolean)) {
        throw INVALID_FIELD_ATTRIBUTE.with(key + ".attributes.isRequired must be true or false");
      }
      result.put("isRequired", required);
    }
    Object enumValues = attributes.getValue("enumValues");
    if (type.equals("enum") != (enumValues != null)) {
      throw INVALID_FIELD_ATTRIBUTE.with(key + ": enumValues belongs to, and is needed by, enum fields only (field '"
          + field + "' is " + type + ")");
    }
    if (enumValues != null) {
      if (!(enumValues instanceof JsonArray values) || values.isEmpty()
          || !values.stream().allMatch(v -> v instanceof String s && !s.isBlank())) {
        throw INVALID_FIELD_ATTRIBUTE.with(key + ".attributes.enumValues must be a non-empty array of strings");
      }
      result.put("enumValues", List.copyOf(values.getList()));
    }
    Object identifierType = attributes.getValue("identifierType");
    if (identifierType != null) {
      if (!type.equals("customer") || !(identifierType instanceof String s) || s.isBlank()) {
        throw INVALID_FIELD_ATTRIBUTE.with(key + ".attributes.identifierType is a non-empty string, for customer fields only");
      }
      result.put("identifierType", identifierType);
    }
    Object regex = attributes.getValue("regex");
    if (regex != null) {
      if (!type.equals("string") || !(regex instanceof String pattern)) {
        throw INVALID_FIELD_ATTRIBUTE.with(key + ".attributes.regex is a string, for string fields only");
      }
      result.put("regex", pattern);
    }
    return result;
  }

  /** The field's regex compiled once, here; refused with a 400 naming the field when too long, too complex or not RE2. */
  private static Optional<FieldRegex> regex(Map<String, Object> attributes, String field, String key) {
    if (!(attributes.get("regex") instanceof String source)) {
      return Optional.empty();
    }
    try {
      return Optional.of(FieldRegex.compile(source));
    } catch (IllegalArgumentException e) {
      throw INVALID_FIELD_ATTRIBUTE.with(key + ".attributes.regex of field '" + field + "' " + e.getMessage());
    }
  }

  private static void unknownKeys(JsonObject json, Set<String> allowed, String prefix) {
    for (String name : json.fieldNames()) {
      if (!allowed.contains(name)) {
        throw INVALID_DEFINITION.with("Unknown key '" + prefix + name + "'; a definition has " + allowed);
      }
    }
  }

  private static String describe(Object value) {
    return value == null ? "nothing" : "'" + value + "'";
  }
}
