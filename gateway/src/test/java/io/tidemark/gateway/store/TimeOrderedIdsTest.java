package io.tidemark.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

  @Test
  void an_id_is_a_version_7_uuid_carrying_its_millisecond() {
    long millis = Instant.parse("2026-12-06T12:34:56.789Z").toEpochMilli();
    UUID id = TimeOrderedIds.at(millis, 5);
    assertEquals(7, id.version());
    assertEquals(2, id.variant()); // RFC 4122/9562 variant
    assertEquals(millis, id.getMostSignificantBits() >>> 16);
    // As text: the first 12 hex digits are the milliseconds.
    assertEquals(String.format("%012x", millis), id.toString().replace("-", "").substring(0, 12));
  }

  @Test
  void ids_of_later_milliseconds_sort_later_as_text_and_ids_do_not_repeat() {
    Set<UUID> seen = new HashSet<>();
    String previous = "";
    long start = Instant.parse("2026-12-06T00:00:00Z").toEpochMilli();
    for (int i = 0; i < 10_000; i++) {
      UUID id = TimeOrderedIds.at(start + i, 0);
      assertTrue(seen.add(id), "repeated " + id);
      // The text form is what request ids are stored and indexed as.
      assertTrue(id.toString().compareTo(previous) > 0, id + " after " + previous);
      previous = id.toString();
    }
  }

  @Test
  void ids_made_one_after_another_sort_in_that_order_even_within_a_millisecond() {
    String previous = "";
    // Far more than a millisecond's worth of counter (4,096), so the borrowing is exercised too.
    for (int i = 0; i < 20_000; i++) {
      UUID id = TimeOrderedIds.next();
      assertEquals(7, id.version());
      assertTrue(id.toString().compareTo(previous) > 0, id + " after " + previous);
      previous = id.toString();
    }
  }
}
