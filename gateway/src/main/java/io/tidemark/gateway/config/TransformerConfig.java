package io.tidemark.gateway.config;

import java.util.Map;

/**
 * Maps a foreign payload onto a behavioral event.
 *
 * @param match top-level payload fields and the values they must have, such as {@code eventName: customerAdded}
 * @param eventName the event definition the payload becomes
 * @param attributes per event field, a JSON pointer into the payload, such as {@code /data/customer/mobile}
 */
public record TransformerConfig(Map<String, String> match, String eventName, Map<String, String> attributes) {

  public TransformerConfig {
    match = match == null ? Map.of() : Map.copyOf(match);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
