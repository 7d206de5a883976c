package io.tidemark.gateway.plugins;

import io.tidemark.gateway.http.JsonBodies;
import io.tidemark.gateway.store.JsonText;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.plugin.api.EventEmitter;
import io.tidemark.plugin.api.InvalidEventException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emitter of one call: checks each event at once, inside the plugin, and buffers it. When
 * the call ends the gateway seals it and appends what it holds; events emitted after that (by a
 * plugin still running past its timeout) are dropped and counted. One call may pass it to
 * several plugins (an ingestion's processors); their events keep emission order.
 */
public final class CallEmitter implements EventEmitter {

  private final List<NewEvent> events = new ArrayList<>();
  private final AtomicLong droppedCounter;
  private boolean sealed;

  public CallEmitter(AtomicLong droppedCounter) {
    this.droppedCounter = droppedCounter;
  }

  @Override
  public synchronized void emit(String type, Map<String, ?> data) {
    if (sealed) {
      droppedCounter.incrementAndGet();
      return;
    }
    if (type == null || type.isBlank() || type.length() > MAX_TYPE_LENGTH) {
      throw new InvalidEventException("an event type must be 1 to " + MAX_TYPE_LENGTH + " characters, not blank");
    }
    if (events.size() >= MAX_EVENTS_PER_CALL) {
      throw new InvalidEventException("a call may emit at most " + MAX_EVENTS_PER_CALL + " events");
    }
    JsonObject json;
    try {
      json = JsonValues.toJson(data);
    } catch (JsonValues.NotJsonException e) {
      throw new InvalidEventException("event '" + type + "': " + e.getMessage());
    }
    Optional<String> unstorable = JsonBodies.unstorableText(type).map(p -> "type " + p)
        .or(() -> JsonBodies.unstorable(json, "data"));
    if (unstorable.isPresent()) {
      throw new InvalidEventException("event '" + type.replace('\0', '?') + "': " + unstorable.get());
    }
    int bytes = type.getBytes(StandardCharsets.UTF_8).length + JsonText.buffer(json).length();
    if (bytes > MAX_EVENT_BYTES) {
      throw new InvalidEventException("event '" + type + "' takes " + bytes + " bytes; the limit is " + MAX_EVENT_BYTES);
    }
    events.add(new NewEvent(type, json));
  }

  /** Ends emission for this call; returns the events in emission order. */
  public synchronized List<NewEvent> seal() {
    sealed = true;
    return List.copyOf(events);
  }
}
