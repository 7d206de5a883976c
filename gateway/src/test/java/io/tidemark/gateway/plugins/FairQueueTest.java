package io.tidemark.gateway.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.plugins.FairQueue.Offer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FairQueueTest {

  private static final UUID A = UUID.fromString("00000000-0000-4000-8000-00000000000a");
  private static final UUID B = UUID.fromString("00000000-0000-4000-8000-00000000000b");
  private static final UUID C = UUID.fromString("00000000-0000-4000-8000-00000000000c");

  @Test
  void one_tenant_is_served_first_in_first_out() {
    FairQueue<String> queue = new FairQueue<>(10, 10);
    queue.offer(A, "a1");
    queue.offer(A, "a2");
    queue.offer(A, "a3");
    assertEquals(List.of("a1", "a2", "a3"), pollAll(queue));
    assertNull(queue.poll());
  }

  @Test
  void tenants_take_turns_so_a_flood_does_not_delay_a_later_tenant_behind_all_of_it() {
    FairQueue<String> queue = new FairQueue<>(10, 10);
    for (int i = 1; i <= 5; i++) {
      queue.offer(A, "a" + i);
    }
    queue.offer(B, "b1");
    queue.offer(C, "c1");
    queue.offer(B, "b2");
    assertEquals(List.of("a1", "b1", "c1", "a2", "b2", "a3", "a4", "a5"), pollAll(queue));
  }

  @Test
  void a_tenant_that_empties_loses_its_turn_and_rejoins_at_the_back() {
    FairQueue<String> queue = new FairQueue<>(10, 10);
    queue.offer(A, "a1");
    queue.offer(B, "b1");
    queue.offer(B, "b2");
    assertEquals("a1", queue.poll());
    queue.offer(A, "a2");
    assertEquals(List.of("b1", "a2", "b2"), pollAll(queue));
  }

  @Test
  void a_tenant_holds_at_most_its_share_and_others_still_get_in() {
    FairQueue<String> queue = new FairQueue<>(4, 2);
    assertEquals(Offer.QUEUED, queue.offer(A, "a1"));
    assertEquals(Offer.QUEUED, queue.offer(A, "a2"));
    assertEquals(Offer.TENANT_FULL, queue.offer(A, "a3"));
    assertEquals(Offer.QUEUED, queue.offer(B, "b1"));
    assertEquals(2, queue.size(A));
    assertEquals(3, queue.size());

    queue.poll(); // a1: A has room again
    assertEquals(Offer.QUEUED, queue.offer(A, "a3"));
  }

  @Test
  void a_full_queue_refuses_everyone() {
    FairQueue<String> queue = new FairQueue<>(3, 2);
    queue.offer(A, "a1");
    queue.offer(A, "a2");
    queue.offer(B, "b1");
    assertEquals(Offer.FULL, queue.offer(C, "c1"));
    assertEquals(Offer.FULL, queue.offer(B, "b2"));
    assertEquals(3, queue.size());
  }

  @Test
  void a_queue_of_no_places_refuses_at_once() {
    assertEquals(Offer.FULL, new FairQueue<String>(0, 0).offer(A, "a1"));
    assertEquals(Offer.TENANT_FULL, new FairQueue<String>(5, 0).offer(A, "a1"));
  }

  @Test
  void a_removed_item_is_never_served_and_frees_its_place() {
    FairQueue<String> queue = new FairQueue<>(3, 3);
    queue.offer(A, "a1");
    queue.offer(B, "b1");
    queue.offer(A, "a2");
    assertTrue(queue.remove(B, "b1"));
    assertFalse(queue.remove(B, "b1"), "already gone");
    assertFalse(queue.remove(A, "b1"), "not the tenant's");
    assertEquals(2, queue.size());
    assertEquals(0, queue.size(B));
    assertTrue(queue.remove(A, "a1"));
    assertEquals(List.of("a2"), pollAll(queue));
    assertEquals(0, queue.size());
  }

  @Test
  void an_item_that_was_served_cannot_be_removed() {
    FairQueue<String> queue = new FairQueue<>(3, 3);
    queue.offer(A, "a1");
    assertEquals("a1", queue.poll());
    assertFalse(queue.remove(A, "a1"));
  }

  @Test
  void drain_empties_in_serving_order() {
    FairQueue<String> queue = new FairQueue<>(10, 10);
    queue.offer(A, "a1");
    queue.offer(A, "a2");
    queue.offer(B, "b1");
    assertEquals(List.of("a1", "b1", "a2"), queue.drain());
    assertEquals(0, queue.size());
    assertNull(queue.poll());
    assertEquals(Offer.QUEUED, queue.offer(B, "b2"));
    assertEquals("b2", queue.poll());
  }

  private static List<String> pollAll(FairQueue<String> queue) {
    List<String> served = new ArrayList<>();
    for (String item = queue.poll(); item != null; item = queue.poll()) {
      served.add(item);
    }
    return served;
  }
}
