package io.tidemark.gateway.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything one API call (or one scheduled firing) produced, committed together: its events,
 * which get consecutive positions, one timestamp and keep the order in which they were emitted,
 * and its other {@link StoreWrite writes} (log entry, schedules), in the same transaction.
 *
 * @param userLocator the user the events belong to: the caller, a signed webhook's own user, or
 *     the user who scheduled a firing (docs/stream-api.md)
 */
public record AppendRequest(UUID tenantLocator, UUID userLocator, String requestId, List<NewEvent> events,
    List<StoreWrite> writes) {

  public AppendRequest {
    Objects.requireNonNull(tenantLocator, "tenantLocator");
    Objects.requireNonNull(requestId, "requestId");
    events = List.copyOf(events);
    writes = List.copyOf(writes);
  }

  /** Events alone. */
  public AppendRequest(UUID tenantLocator, UUID userLocator, String requestId, List<NewEvent> events) {
    this(tenantLocator, userLocator, requestId, events, List.of());
  }

  /** The same request with {@code more} writes after its own. */
  public AppendRequest withWrites(List<StoreWrite> more) {
    List<StoreWrite> all = new ArrayList<>(writes);
    all.addAll(more);
    return new AppendRequest(tenantLocator, userLocator, requestId, events, all);
  }

  boolean isEmpty() {
    return events.isEmpty() && writes.isEmpty();
  }
}
