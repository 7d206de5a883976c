package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A webhook message delivered again (a sender's retry, a replay) is answered as the first time and stored once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookReplayTest {

  private static final String HOOK = WebhookIngestionTest.HOOK;
  private static final String SECRET = WebhookIngestionTest.SECRET;
  private static final AtomicInteger NAMES = new AtomicInteger();

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), WebhookReplayTest.class, c -> c
        .withPlugins(c.plugins().withDirectory(TestPlugins.directoryWith(TestPlugins.POLICY_LIFECYCLE, TestPlugins.LOYALTY_PROCESSORS).toString())));
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void a_signed_message_sent_again_answers_the_original_outcome_and_stores_nothing_new() {
    String name = newEventName();
    String body = "{\"event_name\":\"" + name + "\",\"customer\":\"919970388310\"}";
    String id = "msg_" + UUID.randomUUID();
    long timestamp = Instant.now().getEpochSecond();

    Response first = WebhookIngestionTest.signedAt(http, HOOK, SECRET, body, id, timestamp).send();
    assertEquals(200, first.status(), first::toString);
    // The very same request (a replay), then a sender's retry: same id, a fresh timestamp and signature.
    Response replay = WebhookIngestionTest.signedAt(http, HOOK, SECRET, body, id, timestamp).send();
    Response retry = WebhookIngestionTest.signedAt(http, HOOK, SECRET, body, id, timestamp + 1).send();

    for (Response again : List.of(replay, retry)) {
      assertEquals(200, again.status(), again::toString);
      assertEquals(first.json(), again.json());
      assertEquals(0, eventsOf(again.header("X-Request-Id")).size());
    }
    assertEquals(1, eventsOfType(name).size());
    assertEquals(1, logsOf(name).size());
  }

  @Test
  void a_rejected_message_sent_again_is_rejected_the_same_way_and_logged_once() {
    String name = newEventName();
    String body = "{\"event_name\":\"" + name + "\",\"customer\":\"\"}";
    String id = "msg_" + UUID.randomUUID();
    long timestamp = Instant.now().getEpochSecond();

    Response first = WebhookIngestionTest.signedAt(http, HOOK, SECRET, body, id, timestamp).send();
    assertEquals(422, first.status(), first::toString);
    assertEquals("NO_CUSTOMER_DETAILS_PASSED", first.json().getJsonObject("data").getString("status"));
    Response again = WebhookIngestionTest.signedAt(http, HOOK, SECRET, body, id, timestamp).send();
    assertEquals(422, again.status(), again::toString);
    assertEquals(first.json(), again.json());
    assertEquals(1, logsOf(name).size());
  }

  @Test
  void concurrent_deliveries_of_one_message_store_one_event_and_all_get_the_same_answer() throws Exception {
    String name = newEventName();
    String body = "{\"event_name\":\"" + name + "\",\"customer\":\"919970388310\"}";
    String id = "msg_" + UUID.randomUUID();
    long timestamp = Instant.now().getEpochSecond();
    int deliveries = 8;

    ExecutorService senders = Executors.newFixedThreadPool(deliveries);
    try {
      List<CompletableFuture<Response>> sent = new ArrayList<>();
      for (int i = 0; i < deliveries; i++) {
        sent.add(CompletableFuture.supplyAsync(
            () -> WebhookIngestionTest.signedAt(http, HOOK, SECRET, body, id, timestamp).send(), senders));
      }
      Response first = sent.get(0).get(30, TimeUnit.SECONDS);
      assertEquals(200, first.status(), first::toString);
      for (CompletableFuture<Response> each : sent) {
        Response r = each.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r::toString);
        assertEquals(first.json(), r.json());
      }
    } finally {
      senders.shutdownNow();
    }
    assertEquals(1, eventsOfType(name).size());
    assertEquals(1, logsOf(name).size());
  }

  @Test
  void basic_auth_posts_with_a_webhook_id_are_deduplicated_and_without_one_are_not() {
    String name = newEventName();
    String body = "{\"event_name\":\"" + name + "\",\"customer\":\"919970388310\"}";
    String id = "msg_" + UUID.randomUUID();
    Response first = basic(body).header("webhook-id", id).send();
    Response again = basic(body).header("webhook-id", id).send();
    assertEquals(200, first.status(), first::toString);
    assertEquals(first.json(), again.json());
    assertEquals(1, eventsOfType(name).size());

    assertEquals(200, basic(body).send().status());
    assertEquals(200, basic(body).send().status());
    assertEquals(3, eventsOfType(name).size());
    assertEquals(3, logsOf(name).size());
  }

  @Test
  void an_unauthorised_attempt_with_a_webhook_id_does_not_claim_it() {
    String name = newEventName();
    String body = "{\"event_name\":\"" + name + "\",\"customer\":\"919970388310\"}";
    String id = "msg_" + UUID.randomUUID();
    long timestamp = Instant.now().getEpochSecond();
    assertEquals(401, WebhookIngestionTest.signedAt(http, HOOK, WebhookIngestionTest.WRONG_SECRET, body, id, timestamp).send().status());

    Response genuine = WebhookIngestionTest.signedAt(http, HOOK, SECRET, body, id, timestamp).send();
    assertEquals(200, genuine.status(), genuine::toString);
    assertEquals(1, eventsOfType(name).size());
  }

  @Test
  void the_same_webhook_id_on_another_webhook_is_another_message() {
    String name = newEventName();
    String body = "{\"event_name\":\"" + name + "\",\"customer\":\"919970388310\"}";
    String id = "msg_" + UUID.randomUUID();
    assertEquals(200, basic(body).header("webhook-id", id).send().status());
    // The mapped webhook maps this payload onto no event: its own outcome, not the first one's.
    Response other = http.post("/v2/webhooks/" + WebhookIngestionTest.MAPPED_HOOK + "/events").as("admin", "admin-secret")
        .header("webhook-id", id).body(body).send();
    assertEquals(WebhookIngestionTest.MAPPED_HOOK, other.json().getJsonObject("data").getString("webhookId"), other::toString);
  }

  @Test
  void an_unusable_webhook_id_is_400_and_logged() {
    String name = newEventName();
    String body = "{\"event_name\":\"" + name + "\",\"customer\":\"919970388310\"}";
    Response r = basic(body).header("webhook-id", "m".repeat(256)).send();
    assertEquals(400, r.status(), r::toString);
    assertEquals("INVALID_WEBHOOK_ID", r.json().getJsonObject("data").getString("status"));
    assertEquals(new JsonObject().put("code", 400).put("message",
            "Invalid webhook-id: the webhook-id header is longer than 255 characters"),
        r.json().getJsonArray("errors").getJsonObject(0));
    assertEquals(0, eventsOfType(name).size());
    assertEquals(1, logsOf(name).size());
  }

  // ---- helpers

  /** A fresh definition per test, so that its events and log entries are this test's alone. */
  private String newEventName() {
    String name = "Replay_Event_" + NAMES.incrementAndGet();
    Response r = http.post("/v2/events").as("admin", "admin-secret").body(new JsonObject("""
        {"eventName": "%s", "actions": ["customer-identification"],
         "fields": [{"name": "customer", "type": "customer"}]}""".formatted(name)).encode()).send();
    assertEquals(201, r.status(), r::toString);
    return name;
  }

  private Http.Request basic(String body) {
    return http.post("/v2/webhooks/" + HOOK + "/events").as("admin", "admin-secret").body(body);
  }

  private JsonArray eventsOf(String requestId) {
    return http.get("/event/" + DEMO_TENANT + "/events/request/" + requestId).as("reader", "reader-secret").send().jsonArray();
  }

  private JsonArray eventsOfType(String type) {
    Response r = http.get("/event/" + DEMO_TENANT + "/events/list?type=" + type + "&pageSize=1000")
        .as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonArray("events");
  }

  private JsonArray logsOf(String eventName) {
    Response r = http.get("/v2/events/logs?limit=1000&event_name=" + eventName).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.json().getJsonArray("data").size() < 1000);
    return r.json().getJsonArray("data");
  }
}
