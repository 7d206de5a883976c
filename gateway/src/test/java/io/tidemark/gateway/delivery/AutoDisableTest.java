package io.tidemark.gateway.delivery;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.ShiftedClock;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.DeliveryConfig;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A subscription failing for longer than {@code delivery.disableAfterHours} is disabled, says so in
 * the tenant's stream, and gets nothing more; the others go on. The hours pass on a shifted clock.
 */
class AutoDisableTest {

  private static final String SUBS = "/event/" + DEMO_TENANT + "/subscriptions";

  @Test
  void a_subscription_failing_past_the_limit_is_disabled_with_an_event_and_the_others_go_on() {
    ShiftedClock clock = new ShiftedClock();
    // Retries every second, far more of them than the test needs: only the failing period can disable it.
    List<Integer> retries = Collections.nCopies(1000, 1);
    try (TestGateway gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), AutoDisableTest.class,
            c -> c.withDelivery(new DeliveryConfig(retries, 1, true, false, 1000, 30, 50, null)), clock);
        Receiver failing = new Receiver(gateway.vertx(), n -> 500);
        Receiver healthy = new Receiver(gateway.vertx(), n -> 204)) {
      Http http = gateway.http();
      String failingId = create(http, failing.url());
      create(http, healthy.url());
      issuePolicy(http);

      // A second attempt is made only once the first failure was recorded, failing since the unshifted now.
      Poll.until(() -> failing.deliveries().size() >= 2 ? true : null, "the failing receiver's second attempt");
      assertEquals("active", subscription(http, failingId).getString("status"), "failing for a second does not disable");
      clock.advance(Duration.ofHours(2));

      JsonObject disabled = Poll.until(() -> {
        JsonObject s = subscription(http, failingId);
        return "disabled".equals(s.getString("status")) ? s : null;
      }, "the failing subscription disabled");
      assertTrue(disabled.getString("disabledReason").contains("more than 1 hours"), disabled.encode());
      int attemptsWhenDisabled = failing.deliveries().size();

      JsonObject event = Poll.until(() -> events(http).stream()
          .filter(e -> e.getString("type").equals("subscription.disabled")).findFirst().orElse(null), "the subscription.disabled event");
      assertEquals(failingId, event.getJsonObject("data").getString("subscriptionId"));
      assertEquals(failing.url(), event.getJsonObject("data").getString("url"));
      assertEquals(disabled.getString("disabledReason"), event.getJsonObject("data").getString("reason"));
      assertEquals(UUID.nameUUIDFromBytes(("tidemark-subscription:" + failingId).getBytes(StandardCharsets.UTF_8)).toString(),
          event.getString("userLocator"), "the event names the subscription's system user");

      // The healthy subscription gets everything, the disabled event and what follows it included.
      issuePolicy(http);
      List<String> stream = events(http).stream().map(e -> e.getString("locator")).toList();
      assertEquals(5, stream.size(), "two policies and the disabled event");
      Poll.until(() -> healthy.deliveries().size() >= stream.size() ? true : null, "the healthy receiver's five events");
      assertEquals(stream, healthy.deliveries().stream().map(Receiver.Delivery::id).toList());
      assertEquals(attemptsWhenDisabled, failing.deliveries().size(), "a disabled subscription gets no more attempts");
    }
  }

  private static String create(Http http, String url) {
    Response r = http.post(SUBS).as("admin", "admin-secret").body("{\"url\":\"" + url + "\"}").send();
    assertEquals(201, r.status(), r::toString);
    return r.json().getString("id");
  }

  private static JsonObject subscription(Http http, String id) {
    Response r = http.get(SUBS + "/" + id).as("admin", "admin-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.json();
  }

  private static List<JsonObject> events(Http http) {
    List<JsonObject> events = new ArrayList<>();
    http.get("/event/" + DEMO_TENANT + "/events/list?pageSize=1000").as("reader", "reader-secret").send().json()
        .getJsonArray("events").forEach(e -> events.add((JsonObject) e));
    return events;
  }

  private static void issuePolicy(Http http) {
    Response r = http.post("/policy/" + DEMO_TENANT + "/policies").as("admin", "admin-secret")
        .body("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":10}").send();
    assertEquals(201, r.status(), r::toString);
  }
}
