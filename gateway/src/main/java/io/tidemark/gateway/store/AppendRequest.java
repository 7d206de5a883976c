package io.tidemark.gateway.store;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The events of one API call (or one scheduled firing), appended together: they get consecutive
 * positions, one timestamp, and keep the order in which they were emitted.
 *
 * @param userLocator the calling user; {@code null} for events the gateway makes itself
 */
public record AppendRequest(UUID tenantLocator, UUID userLocator, String requestId, List<NewEvent> events) {
  public AppendRequest {
    Objects.requireNonNull(tenantLocator, "tenantLocator");
    Objects.requireNonNull(requestId, "requestId");
    events = List.copyOf(events);
  }
}
