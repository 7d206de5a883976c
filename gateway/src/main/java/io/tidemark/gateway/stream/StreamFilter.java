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
}
