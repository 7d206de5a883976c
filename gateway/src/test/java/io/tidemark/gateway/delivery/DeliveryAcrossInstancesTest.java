package io.tidemark.gateway.delivery;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.DeliveryConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two instances deliver the same subscriptions: each event reaches each receiver exactly once,
 * in stream order, whichever instance holds the lease; writers use both instances.
 */
class DeliveryAcrossInstancesTest {

  private static final int CALLS_PER_WRITER = 1250; // 4 writers × 1,250 policies × 2 events = 10,000 events

  @Test
  void two_instances_deliver_every_event_once_and_in_order_to_each_subscription() throws Exception {
    try (TestGateway first = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), DeliveryAcrossInstancesTest.class,
            c -> c.withDelivery(new DeliveryConfig(List.of(0), null, true, false, 2000, 30, 20, null)));
        TestGateway second = first.anotherInstance();
        Receiver a = new Receiver(first.vertx(), n -> n % 97 == 0 ? 503 : 200); // a few failures, retried in place
        Receiver b = new Receiver(second.vertx(), n -> 204)) {
      Http http = first.http();
      String subs = "/event/" + DEMO_TENANT + "/subscriptions";
      for (Receiver r : List.of(a, b)) {
        assertEquals(201, http.post(subs).as("admin", "admin-secret").body("{\"url\":\"" + r.url() + "\"}").send().status());
      }
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Http via = (w % 2 == 0 ? first : second).http();
        done.add(writers.submit(() -> {
          for (int i = 0; i < CALLS_PER_WRITER; i++) {
            Response r = via.post("/policy/" + DEMO_TENANT + "/policies").as("admin", "admin-secret")
                .body("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":10}")
                .send();
            assertEquals(201, r.status(), r::toString);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(10, TimeUnit.MINUTES);
      }
      writers.shutdown();

      List<String> stream = streamLocators(http);
      assertEquals(4 * CALLS_PER_WRITER * 2, stream.size());

      Poll.within(Duration.ofMinutes(3), () -> b.deliveries().size() >= stream.size() ? true : null, "receiver b's deliveries");
      assertEquals(stream, b.deliveries().stream().map(Receiver.Delivery::id).toList(), "b: every event once, in stream order");

      Poll.within(Duration.ofMinutes(3), () -> taken(a).size() >= stream.size() ? true : null, "receiver a's deliveries");
      assertEquals(stream, taken(a), "a: every event taken once, in order, its 503s retried in place");
    }
  }

  /** The tenant's stream, oldest first, in pages of 1,000. */
  private static List<String> streamLocators(Http http) {
    List<String> locators = new ArrayList<>();
    String token = null;
    while (true) {
      JsonObject page = http.get("/event/" + DEMO_TENANT + "/events/list?pageSize=1000"
              + (token == null ? "" : "&pagingToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
          .as("reader", "reader-secret").send().json();
      JsonArray events = page.getJsonArray("events");
      if (events.isEmpty()) {
        return locators;
      }
      events.forEach(e -> locators.add(((JsonObject) e).getString("locator")));
      token = page.getString("pagingToken");
    }
  }

  /** The events a receiver took: its deliveries minus the ones it answered 503 (every 97th). */
  private static List<String> taken(Receiver r) {
    List<Receiver.Delivery> all = r.deliveries();
    List<String> taken = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if ((i + 1) % 97 != 0) {
        taken.add(all.get(i).id());
      }
    }
    return taken;
  }
}
