package io.tidemark.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What a shared tail may serve a reader: only what it holds all of, filtered, and where the reader then is. */
class TenantTailSnapshotTest {

  private static final UUID TENANT = UUID.randomUUID();
  private static final StreamFilter ALL = new StreamFilter(TENANT, Optional.empty(), Optional.empty(), Optional.empty());

  /** Events 11..20, every event after position 10: types alternate a, b. */
  private final TenantTail.Snapshot snapshot = new TenantTail.Snapshot(10, 20,
      LongStream.rangeClosed(11, 20).mapToObj(p -> event(p, p % 2 == 0 ? "a" : "b")).toList());

  @Test
  void a_reader_inside_the_snapshot_gets_every_event_after_it() {
    TenantTail.Taken taken = snapshot.after(14, ALL, 100).orElseThrow();
    assertEquals(List.of(15L, 16L, 17L, 18L, 19L, 20L), positions(taken));
    assertEquals(20, taken.position());
    assertEquals(List.of(), positions(snapshot.after(20, ALL, 100).orElseThrow()), "caught up: nothing new");
  }

  @Test
  void a_reader_behind_or_ahead_of_it_reads_the_store() {
    assertTrue(snapshot.after(9, ALL, 100).isEmpty(), "event 10 is not in it");
    assertTrue(snapshot.after(21, ALL, 100).isEmpty(), "newer than the snapshot");
    assertTrue(snapshot.after(12, new StreamFilter(TENANT, Optional.of(Instant.EPOCH), Optional.empty(), Optional.empty()), 100)
        .isEmpty(), "time filters read the store");
  }

  @Test
  void a_type_filter_skips_to_the_snapshots_end_and_a_limit_stops_at_the_last_taken() {
    StreamFilter onlyA = new StreamFilter(TENANT, Optional.empty(), Optional.empty(), Optional.of("a"));
    TenantTail.Taken all = snapshot.after(10, onlyA, 100).orElseThrow();
    assertEquals(List.of(12L, 14L, 16L, 18L, 20L), positions(all));
    assertEquals(20, all.position());
    TenantTail.Taken two = snapshot.after(10, onlyA, 2).orElseThrow();
    assertEquals(List.of(12L, 14L), positions(two));
    assertEquals(14, two.position(), "the next read starts after the last event taken");
    TenantTail.Taken none = snapshot.after(19, new StreamFilter(TENANT, Optional.empty(), Optional.empty(), Optional.of("b")), 100)
        .orElseThrow();
    assertEquals(List.of(), positions(none));
    assertEquals(20, none.position(), "nothing matched up to the end: the reader is at the end");
  }

  private static List<Long> positions(TenantTail.Taken taken) {
    return taken.events().stream().map(StoredEvent::position).toList();
  }

  private static StoredEvent event(long position, String type) {
    return new StoredEvent(TENANT, position, "L" + position, null, "r", Instant.EPOCH, type, "{}");
  }
}
