package io.tidemark.gateway.stream;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** The filters of a list request; a paging token is bound to exactly these. */
public record StreamFilter(UUID tenant, Optional<Instant> start, Optional<Instant> end, Optional<String> type) {

  /**
   * The filters as text, the same however a client spelled them ({@code Instant#toString} is
   * canonical UTC); the type is length-prefixed so no type can imitate another field.
   */
  public String canonical() {
    return tenant + "|" + start.map(Instant::toString).orElse("") + "|" + end.map(Instant::toString).orElse("")
        + "|" + type.map(t -> t.length() + ":" + t).orElse("");
  }

  /** The filters {@link #canonical()} wrote (a paging token carries them); empty if it is not such text. */
  public static Optional<StreamFilter> parse(String canonical) {
    String[] parts = canonical.split("\\|", 4);
    if (parts.length != 4) {
      return Optional.empty();
    }
    try {
      Optional<String> type = Optional.empty();
      if (!parts[3].isEmpty()) {
        int colon = parts[3].indexOf(':');
        String text = parts[3].substring(colon + 1);
        if (colon < 0 || Integer.parseInt(parts[3].substring(0, colon)) != text.length()) {
          return Optional.empty();
        }
        type = Optional.of(text);
      }
      return Optional.of(new StreamFilter(UUID.fromString(parts[0]), instant(parts[1]), instant(parts[2]), type));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> instant(String text) {
    return text.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(text));
  }
}
