package io.tidemark.gateway.stream;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tidemark.gateway.http.Timestamps;
import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * {@code EventResponse} of seed 003, written straight from the stored event: its data goes out
 * as the JSON text the store returned, never parsed into objects and encoded again: decoding
 * each event's {@code jsonb} and encoding it once more was about a third of a 100-event page's
 * CPU. The text is PostgreSQL's ({@code {"a": 1}}, a space after each colon and comma).
 */
public final class EventJson {

  private static final JsonFactory JSON = new JsonFactory();

  private EventJson() {}

  /** One event, as an SSE frame or a delivery carries it. */
  public static String text(StoredEvent event) {
    return new String(write(g -> event(g, event)), StandardCharsets.UTF_8);
  }

  /** One event, as {@code GET /events/{locator}} answers it. */
  static Buffer object(StoredEvent event) {
    return Buffer.buffer(write(g -> event(g, event)));
  }

  /** A JSON array of events, as {@code GET /events/request/{id}} answers it. */
  static Buffer array(List<StoredEvent> events) {
    return Buffer.buffer(write(g -> events(g, events)));
  }

  /** {@code {"pagingToken": …, "events": […]}}, a page of {@code GET /events/list}. */
  static Buffer page(String pagingToken, List<StoredEvent> events) {
    return Buffer.buffer(write(g -> {
      g.writeStartObject();
      g.writeStringField("pagingToken", pagingToken);
      g.writeFieldName("events");
      events(g, events);
      g.writeEndObject();
    }));
  }

  static String timestamp(Instant instant) {
    return Timestamps.format(instant);
  }

  private static void events(JsonGenerator g, List<StoredEvent> events) throws IOException {
    g.writeStartArray();
    for (StoredEvent event : events) {
      event(g, event);
    }
    g.writeEndArray();
  }

  private static void event(JsonGenerator g, StoredEvent event) throws IOException {
    g.writeStartObject();
    g.writeStringField("locator", event.locator());
    g.writeStringField("userLocator", event.userLocator() == null ? null : event.userLocator().toString());
    g.writeStringField("requestId", event.requestId());
    g.writeStringField("timestamp", timestamp(event.timestamp()));
    g.writeStringField("type", event.type());
    g.writeFieldName("data");
    g.writeRawValue(event.dataJson());
    g.writeEndObject();
  }

  private interface Writing {
    void to(JsonGenerator generator) throws IOException;
  }

  private static byte[] write(Writing writing) {
    ByteArrayBuilder bytes = new ByteArrayBuilder();
    try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
      writing.to(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // into memory: cannot happen
    }
    return bytes.toByteArray();
  }
}
