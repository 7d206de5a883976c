package io.tidemark.plugin.api;

import java.util.List;
import java.util.Map;

/**
 * An ingested event, after mapping and field validation.
 *
 * @param eventName the definition's name
 * @param attributes the event's values as plain Java values, by field name
 * @param fields the definition's fields, in order
 */
public record BehavioralEvent(String eventName, Map<String, Object> attributes, List<EventField> fields) {

  public BehavioralEvent {
    attributes = Map.copyOf(attributes);
    fields = List.copyOf(fields);
  }

  /** The fields of one type, such as {@code "customer"} or {@code "enum"}. */
  public List<EventField> fieldsOfType(String type) {
    return fields.stream().filter(f -> f.type().equals(type)).toList();
  }
}
