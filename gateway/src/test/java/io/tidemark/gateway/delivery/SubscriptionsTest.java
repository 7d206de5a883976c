package io.tidemark.gateway.delivery;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.DeliveryConfig;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Outbound subscriptions: the API, the target checks, and delivery in order, signed, with retries. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriptionsTest {

  private static final String SUBS = "/event/" + DEMO_TENANT + "/subscriptions";

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    // Fast retries and polls; loopback allowed, as in the demo config.
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), SubscriptionsTest.class,
        c -> c.withDelivery(new DeliveryConfig(List.of(0, 0, 0), null, true, false, 1000, 30, 50, null)));
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void create_list_get_patch_and_delete() {
    Response created = create("{\"url\":\"http://127.0.0.1:9/none\",\"types\":[\"policy.issued\"],\"description\":\"crud\"}");
    assertEquals(201, created.status(), created::toString);
    JsonObject s = created.json();
    assertTrue(s.getString("secret").startsWith("whsec_"), s.encode());
    assertEquals(32, Base64.getDecoder().decode(s.getString("secret").substring(6)).length);
    assertEquals("active", s.getString("status"));
    assertEquals(new JsonArray().add("policy.issued"), s.getJsonArray("types"));
    String id = s.getString("id");

    JsonObject listed = http.get(SUBS).as("admin", "admin-secret").send().json();
    JsonObject mine = listed.getJsonArray("subscriptions").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("id").equals(id)).findFirst().orElseThrow();
    assertFalse(mine.containsKey("secret"), "lists never show secrets");

    Response patched = http.method("PATCH", SUBS + "/" + id).as("admin", "admin-secret")
        .body("{\"status\":\"disabled\",\"types\":[]}").send();
    assertEquals(200, patched.status(), patched::toString);
    assertEquals("disabled", patched.json().getString("status"));
    assertEquals(new JsonArray(), patched.json().getJsonArray("types"));
    assertEquals("crud", patched.json().getString("description"));

    assertEquals(204, http.method("DELETE", SUBS + "/" + id).as("admin", "admin-secret").send().status());
    assertEquals(404, http.get(SUBS + "/" + id).as("admin", "admin-secret").send().status());
    assertEquals(403, http.get(SUBS).as("reader", "reader-secret").send().status(), "events:subscribe is needed");
    assertEquals(403, http.get("/event/" + TestGateway.OTHER_TENANT + "/subscriptions").as("admin", "admin-secret").send().status());
  }

  @Test
  void targets_with_credentials_or_non_public_addresses_are_refused_with_the_reason() {
    assertRefused("{\"url\":\"http://user:pass@127.0.0.1/hook\"}", "credentials");
    assertRefused("{\"url\":\"http://10.1.2.3/hook\"}", "a private address");
    assertRefused("{\"url\":\"http://169.254.169.254/latest/meta-data\"}", "a link-local address");
    assertRefused("{\"url\":\"http://192.168.0.10/hook\"}", "a private address");
    assertRefused("{\"url\":\"http://[fd00::1]/hook\"}", "unique local");
    assertRefused("{\"url\":\"ftp://example.com/hook\"}", "http or https");
    assertRefused("{}", "url is required");
    assertRefused("{\"url\":\"http://127.0.0.1/x\",\"types\":\"all\"}", "types must be an array");
  }

  @Test
  void loopback_is_refused_unless_config_allows_it() {
    try (TestGateway strict = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), SubscriptionsTest.class,
        c -> c.withDelivery(new DeliveryConfig(null, null, false, false, null, null, null, null)))) {
      Response r = strict.http().post(SUBS).as("admin", "admin-secret").body("{\"url\":\"http://localhost:8080/hook\"}").send();
      assertEquals(400, r.status(), r::toString);
      assertTrue(r.json().getString("message").contains("a loopback address"), r.body());
    }
  }

  @Test
  void events_are_delivered_in_stream_order_signed_with_the_subscription_secret() throws Exception {
    try (Receiver receiver = new Receiver(gateway.vertx(), n -> 200)) {
      JsonObject s = create("{\"url\":\"" + receiver.url() + "\"}").json();
      List<String> requests = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        requests.add(issuePolicy());
      }
      List<Receiver.Delivery> got = Poll.until(() -> receiver.deliveries().size() >= 6 ? receiver.deliveries() : null, "six deliveries");
      List<String> expected = listedLocators(requests);
      assertEquals(expected, got.stream().map(Receiver.Delivery::id).toList(), "webhook-id is the event locator, in stream order");
      for (Receiver.Delivery d : got) {
        assertEquals(d.id(), d.json().getString("locator"));
        assertTrue(d.signature().startsWith("v1,"), d.signature());
        assertEquals(sign(s.getString("secret"), d), d.signature());
      }
      assertEquals(6, got.size(), "each exactly once");
    }
  }

  @Test
  void a_failing_receiver_is_retried_in_order_and_the_attempts_say_what_happened() throws Exception {
    // The first two attempts fail: the first event is retried, nothing behind it overtakes it.
    try (Receiver receiver = new Receiver(gateway.vertx(), n -> n <= 2 ? 500 : 200)) {
      JsonObject s = create("{\"url\":\"" + receiver.url() + "\"}").json();
      String request = issuePolicy();
      List<Receiver.Delivery> got = Poll.until(() -> receiver.deliveries().size() >= 4 ? receiver.deliveries() : null, "four attempts");
      List<String> locators = listedLocators(List.of(request));
      assertEquals(List.of(locators.get(0), locators.get(0), locators.get(0), locators.get(1)),
          got.stream().map(Receiver.Delivery::id).toList());

      JsonObject page = http.get(SUBS + "/" + s.getString("id") + "/attempts").as("admin", "admin-secret").send().json();
      JsonArray attempts = page.getJsonArray("attempts");
      assertEquals(4, attempts.size(), page.encode());
      assertEquals(List.of(200, 200, 500, 500), attempts.stream().map(a -> ((JsonObject) a).getInteger("statusCode")).toList(),
          "newest first");
      assertEquals("status 500", attempts.getJsonObject(3).getString("response"));
      assertEquals(locators.get(1), attempts.getJsonObject(0).getString("eventLocator"));

      // Replay from the start of the stream: both events again, in order.
      assertEquals(202, http.post(SUBS + "/" + s.getString("id") + "/replay").as("admin", "admin-secret")
          .body("{\"startTimestamp\":\"2000-01-01T00:00:00Z\"}").send().status());
      Poll.until(() -> receiver.deliveries().size() >= 4 + countAll() ? true : null, "the replay");
    }
  }

  @Test
  void a_hanging_receiver_does_not_slow_another_subscription() throws Exception {
    try (Receiver hanging = new Receiver(gateway.vertx(), n -> 0);
        Receiver healthy = new Receiver(gateway.vertx(), n -> 204)) {
      create("{\"url\":\"" + hanging.url() + "\"}");
      create("{\"url\":\"" + healthy.url() + "\"}");
      long started = System.nanoTime();
      issuePolicy();
      Poll.until(() -> healthy.deliveries().size() >= 2 ? true : null, "the healthy receiver's two events");
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(tookMillis < 900, "delivered in " + tookMillis + " ms, within the hanging receiver's 1 s timeout");
    }
  }

  @Test
  void a_rotated_secret_signs_beside_the_old_one_for_a_day() throws Exception {
    try (Receiver receiver = new Receiver(gateway.vertx(), n -> 200)) {
      JsonObject s = create("{\"url\":\"" + receiver.url() + "\",\"types\":[\"policy.issued\"]}").json();
      Response rotated = http.post(SUBS + "/" + s.getString("id") + "/rotate-secret").as("admin", "admin-secret").send();
      assertEquals(200, rotated.status(), rotated::toString);
      String fresh = rotated.json().getString("secret");
      assertFalse(fresh.equals(s.getString("secret")));
      issuePolicy();
      Receiver.Delivery d = Poll.until(() -> receiver.deliveries().isEmpty() ? null : receiver.deliveries().get(0), "a delivery");
      assertEquals(sign(fresh, d) + " " + sign(s.getString("secret"), d), d.signature());
    }
  }

  @Test
  void redirects_are_not_followed_and_only_the_first_kilobyte_of_an_answer_is_kept() throws Exception {
    try (Receiver elsewhere = new Receiver(gateway.vertx(), n -> 200)) {
      HttpServer redirecting = TestGateway.await(gateway.vertx().createHttpServer()
          .requestHandler(r -> r.response().setStatusCode(302).putHeader("Location", elsewhere.url()).end("moved"))
          .listen(0, "127.0.0.1"));
      HttpServer talkative = TestGateway.await(gateway.vertx().createHttpServer()
          .requestHandler(r -> r.response().setStatusCode(200).end("y".repeat(1024 * 1024)))
          .listen(0, "127.0.0.1"));
      try {
        String moved = create("{\"url\":\"http://127.0.0.1:" + redirecting.actualPort() + "/hook\",\"types\":[\"policy.issued\"]}")
            .json().getString("id");
        String verbose = create("{\"url\":\"http://127.0.0.1:" + talkative.actualPort() + "/hook\",\"types\":[\"policy.issued\"]}")
            .json().getString("id");
        issuePolicy();

        JsonObject redirected = Poll.until(() -> firstAttempt(moved), "the redirected attempt");
        assertEquals(302, redirected.getInteger("statusCode"), "a redirect is a failed attempt");
        assertEquals("moved", redirected.getString("response"));
        JsonObject answered = Poll.until(() -> firstAttempt(verbose), "the 1 MiB answer's attempt");
        assertEquals(200, answered.getInteger("statusCode"), "delivered");
        assertEquals("y".repeat(1024), answered.getString("response"), "the first KiB of the answer, no more");
        assertTrue(elsewhere.deliveries().isEmpty(), "the redirect's target got nothing");
      } finally {
        TestGateway.await(redirecting.close());
        TestGateway.await(talkative.close());
      }
    }
  }

  // ---- helpers

  private JsonObject firstAttempt(String subscriptionId) {
    JsonArray attempts = http.get(SUBS + "/" + subscriptionId + "/attempts").as("admin", "admin-secret").send().json()
        .getJsonArray("attempts");
    return attempts.isEmpty() ? null : attempts.getJsonObject(attempts.size() - 1);
  }

  private long countAll() {
    return http.get("/event/" + DEMO_TENANT + "/events/list?pageSize=1000").as("reader", "reader-secret").send().json()
        .getJsonArray("events").size();
  }

  private List<String> listedLocators(List<String> requestIds) {
    List<String> locators = new ArrayList<>();
    for (String id : requestIds) {
      http.get("/event/" + DEMO_TENANT + "/events/request/" + id).as("reader", "reader-secret").send().jsonArray()
          .forEach(e -> locators.add(((JsonObject) e).getString("locator")));
    }
    return locators;
  }

  private static String sign(String secret, Receiver.Delivery d) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] signed = mac.doFinal((d.id() + "." + d.timestamp() + "." + d.body()).getBytes(StandardCharsets.UTF_8));
    return "v1," + Base64.getEncoder().encodeToString(signed);
  }

  private void assertRefused(String body, String reason) {
    Response r = create(body);
    assertEquals(400, r.status(), r::toString);
    assertTrue(r.json().getString("message").contains(reason), r.body());
  }

  private Response create(String body) {
    return http.post(SUBS).as("admin", "admin-secret").body(body).send();
  }

  private String issuePolicy() {
    Response r = http.post("/policy/" + DEMO_TENANT + "/policies").as("admin", "admin-secret")
        .body("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":10}").send();
    assertEquals(201, r.status(), r::toString);
    return r.header("X-Request-Id");
  }
}
