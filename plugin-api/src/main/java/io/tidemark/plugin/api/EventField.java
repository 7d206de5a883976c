package io.tidemark.plugin.api;

import java.util.List;
import java.util.Map;

/**
 * A field of a behavioral event definition.
 *
 * @param type {@code string}, {@code number}, {@code boolean}, {@code date}, {@code enum} or {@code customer}
 * @param attributes {@code isRequired}, {@code enumValues}, {@code identifierType}, {@code regex}, as defined
 */
public record EventField(String name, String type, Map<String, Object> attributes) {

  public EventField {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** The allowed values of an {@code enum} field; empty for other types. */
  @SuppressWarnings("unchecked")
  public List<String> enumValues() {
    Object values = attributes.get("enumValues");
    return values instanceof List<?> list ? (List<String>) list : List.of();
  }
}
