package io.tidemark.plugin.api;

import java.util.Map;

/**
 * Emits events into the tenant's stream. Events are kept in emission order and appended when
 * the call ends, also when it fails. Safe to use from several threads of the same call.
 */
public interface EventEmitter {

  /** The most events one call may emit. */
  int MAX_EVENTS_PER_CALL = 1000;
  /** The most bytes one event's type and data may take, as JSON. */
  int MAX_EVENT_BYTES = 64 * 1024;
  /** The longest event type. */
  int MAX_TYPE_LENGTH = 200;

  /**
   * Adds an event. {@code data} holds JSON values only: maps with string keys, lists, strings,
   * numbers (finite), booleans and null; {@code java.time} values are written as ISO-8601 text.
   *
   * @throws InvalidEventException at once, if the type is blank or longer than
   *     {@value #MAX_TYPE_LENGTH} characters, the data is not JSON, the event is larger than
   *     {@value #MAX_EVENT_BYTES} bytes, or the call has already emitted {@value #MAX_EVENTS_PER_CALL}
   *     events. Events emitted before stay; left uncaught it fails the operation (500).
   */
  void emit(String type, Map<String, ?> data);
}
