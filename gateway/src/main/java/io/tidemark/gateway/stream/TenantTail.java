package io.tidemark.gateway.stream;

import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The newest events of one tenant, read once per notification for all of its live readers on
 * this instance: without it, a commit watched by 100 readers is 100 identical queries. A reader
 * that is caught up takes its events from here; one that is behind (or a poll, which must find
 * what a lost notification did not announce) reads the store.
 */
final class TenantTail {

  /** Events kept: enough for the commits between two notifications, small enough for many tenants. */
  static final int KEEP = 128;
  private static final int FETCH = 1000;

  /**
   * Every event of the tenant with {@code floor < position <= last}, in stream order. Immutable:
   * readers on other threads take it as it is.
   */
  record Snapshot(long floor, long last, List<StoredEvent> events) {

    /**
     * Up to {@code limit} events of {@code filter} after {@code position}, if this snapshot holds
     * all of them, with the position a reader is at once it took them.
     */
    Optional<Taken> after(long position, StreamFilter filter, int limit) {
      if (position < floor || position > last || filter.start().isPresent() || filter.end().isPresent()) {
        return Optional.empty();
      }
      List<StoredEvent> taken = new ArrayList<>();
      for (StoredEvent e : events) {
        if (e.position() > position && (filter.type().isEmpty() || filter.type().get().equals(e.type()))) {
          taken.add(e);
          if (taken.size() == limit) {
            return Optional.of(new Taken(taken, e.position()));
          }
        }
      }
      // All of this snapshot looked at: the reader is at its last position, matching or not.
      return Optional.of(new Taken(taken, last));
    }
  }

  record Taken(List<StoredEvent> events, long position) {}

  private final UUID tenant;
  private final StreamQueries queries;
  private volatile Snapshot snapshot;
  // Guarded by this.
  private boolean fetching;
  private Promise<Void> next;

  TenantTail(UUID tenant, StreamQueries queries) {
    this.tenant = tenant;
    this.queries = queries;
  }

  /** The newest snapshot, or null before the first read. */
  Snapshot snapshot() {
    return snapshot;
  }

  /** Forgets the snapshot: the next read takes the newest events. */
  void reset() {
    snapshot = null;
  }

  /** Reads what committed since the last read; calls made while one runs share the next read. */
  synchronized Future<Void> refresh() {
    if (fetching) {
      if (next == null) {
        next = Promise.promise();
      }
      return next.future();
    }
    fetching = true;
    return fetch().andThen(done -> {
      Promise<Void> waiting;
      synchronized (this) {
        fetching = false;
        waiting = next;
        next = null;
      }
      if (waiting != null) {
        refresh().onComplete(waiting);
      }
    });
  }

  private Future<Void> fetch() {
    Snapshot current = snapshot;
    if (current == null) {
      return queries.newest(tenant, KEEP).map(newest -> {
        long last = newest.isEmpty() ? 0 : newest.get(newest.size() - 1).position();
        long floor = newest.isEmpty() ? 0 : newest.get(0).position() - 1;
        snapshot = new Snapshot(newest.size() < KEEP ? 0 : floor, last, newest);
        return (Void) null;
      });
    }
    StreamFilter all = new StreamFilter(tenant, Optional.empty(), Optional.empty(), Optional.empty());
    return queries.page(all, current.last(), FETCH).map(fetched -> {
      if (fetched.isEmpty()) {
        return null;
      }
      // The fetched events follow the snapshot's last without a gap: together they hold every event.
      List<StoredEvent> events = new ArrayList<>(current.events());
      events.addAll(fetched);
      long floor = current.floor();
      if (events.size() > KEEP) {
        events = events.subList(events.size() - KEEP, events.size());
        floor = events.get(0).position() - 1;
      }
      snapshot = new Snapshot(floor, events.get(events.size() - 1).position(), List.copyOf(events));
      return fetched.size() == FETCH ? "more" : null;
    }).compose(more -> more == null ? Future.succeededFuture() : fetch()); // more than one read takes
  }
}
