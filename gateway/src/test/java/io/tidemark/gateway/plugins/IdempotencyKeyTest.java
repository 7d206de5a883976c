package io.tidemark.gateway.plugins;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static io.tidemark.gateway.TestPlugins.FIXTURE_OPERATIONS;
import static io.tidemark.gateway.config.Permission.EVENTS_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.config.RouteConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Idempotency-Key on plugin routes: one operation per key, the first answer replayed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyKeyTest {

  private static final String FIX = "/fixture/" + DEMO_TENANT;
  private static final String ROUTE = "/fixture/{tenantLocator}";

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.testConfig(), IdempotencyKeyTest.class, c -> c
        .withPlugins(new PluginsConfig(TestPlugins.directoryWith(TestPlugins.POLICY_LIFECYCLE, FIXTURE_OPERATIONS).toString(),
            10_000, 4, 10, Map.of()))
        .withRoutes(List.of(
            route("/echo/{thing}", "echo"),
            route("/sleep", "sleep"),
            route("/fails-with-status", "fails-with-status"),
            new RouteConfig("POST", "/absent/{tenantLocator}", "absent-plugin:op", EVENTS_WRITE, null))));
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void the_same_key_and_request_replays_the_first_response_without_calling_the_plugin() {
    String key = UUID.randomUUID().toString();
    Response first = admin(http.post(FIX + "/echo/x?q=1")).header("Idempotency-Key", key).body("{\"a\":1}").send();
    assertEquals(200, first.status(), first::toString);
    assertNull(first.header("Idempotent-Replayed"));

    Response again = admin(http.post(FIX + "/echo/x?q=1")).header("Idempotency-Key", key).body("{\"a\":1}").send();
    assertEquals(200, again.status(), again::toString);
    assertEquals(first.json(), again.json());
    assertEquals("echo", again.header("X-Fixture"));
    assertEquals("application/json", again.header("Content-Type"));
    assertEquals("true", again.header("Idempotent-Replayed"));
    // The body names the first call's request id; the replay ran nothing and stored nothing.
    assertEquals(first.header("X-Request-Id"), again.json().getString("requestId"));
    assertNotEquals(first.header("X-Request-Id"), again.header("X-Request-Id"));
    assertEquals(1, eventsOf(first.header("X-Request-Id")).size());
    assertEquals(0, eventsOf(again.header("X-Request-Id")).size());
  }

  @Test
  void the_same_key_with_another_body_or_path_is_422() {
    String key = UUID.randomUUID().toString();
    assertEquals(200, admin(http.post(FIX + "/echo/x")).header("Idempotency-Key", key).body("{\"a\":1}").send().status());

    for (Http.Request other : List.of(
        admin(http.post(FIX + "/echo/x")).header("Idempotency-Key", key).body("{\"a\":2}"),
        admin(http.post(FIX + "/echo/y")).header("Idempotency-Key", key).body("{\"a\":1}"))) {
      Response r = other.send();
      assertEquals(422, r.status(), r::toString);
      assertEquals(new JsonObject().put("message",
              "Idempotency-Key was already used with a different request (method, path or body) in the last 24 hours")
          .put("code", "IDEMPOTENCY_KEY_REUSED"), r.json());
      assertEquals(0, eventsOf(r.header("X-Request-Id")).size());
    }
  }

  @Test
  void a_request_arriving_while_the_first_with_its_key_runs_gets_409_with_retry_after() throws Exception {
    String key = UUID.randomUUID().toString();
    CompletableFuture<Response> running = CompletableFuture.supplyAsync(() ->
        admin(http.post(FIX + "/sleep?ms=1500")).header("Idempotency-Key", key).send());
    // The key is claimed before the call starts: once it is in flight, the key is taken.
    Poll.until(() -> inFlight(FIXTURE_OPERATIONS) >= 1, "the first call is in flight");

    Response second = admin(http.post(FIX + "/sleep?ms=1500")).header("Idempotency-Key", key).send();
    assertEquals(409, second.status(), second::toString);
    assertEquals("IDEMPOTENCY_KEY_IN_PROGRESS", second.json().getString("code"));
    assertEquals("1", second.header("Retry-After"));

    Response first = running.get(30, TimeUnit.SECONDS);
    assertEquals(200, first.status(), first::toString);
    Response third = admin(http.post(FIX + "/sleep?ms=1500")).header("Idempotency-Key", key).send();
    assertEquals(first.json(), third.json());
    assertEquals("true", third.header("Idempotent-Replayed"));
  }

  @Test
  void concurrent_requests_with_one_key_run_the_operation_once() throws Exception {
    String key = UUID.randomUUID().toString();
    String label = "once-" + UUID.randomUUID();
    int requests = 6;
    List<Response> answers = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(requests);
    try {
      List<CompletableFuture<Response>> sent = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        sent.add(CompletableFuture.supplyAsync(() ->
            admin(http.post(FIX + "/sleep?ms=200&label=" + label)).header("Idempotency-Key", key).send(), clients));
      }
      for (CompletableFuture<Response> each : sent) {
        answers.add(each.get(30, TimeUnit.SECONDS));
      }
    } finally {
      clients.shutdownNow();
    }

    long ran = 0;
    for (Response r : answers) {
      if (r.status() == 409) {
        assertEquals("IDEMPOTENCY_KEY_IN_PROGRESS", r.json().getString("code"), r::toString);
        continue;
      }
      assertEquals(200, r.status(), r::toString);
      assertEquals(new JsonObject().put("slept", 200), r.json());
      ran += eventsOf(r.header("X-Request-Id")).size();
    }
    assertEquals(1, ran, "one call ran the operation: " + answers);
    long slept = http.get("/event/" + DEMO_TENANT + "/events/list?type=fixture.slept&pageSize=1000").as("reader", "reader-secret")
        .send().json().getJsonArray("events").stream()
        .filter(e -> label.equals(((JsonObject) e).getJsonObject("data").getString("label"))).count();
    assertEquals(1, slept);
  }

  @Test
  void different_users_with_the_same_key_are_independent() {
    String key = UUID.randomUUID().toString();
    Response admin = admin(http.post(FIX + "/echo/x")).header("Idempotency-Key", key).send();
    Response other = http.post("/fixture/" + OTHER_TENANT + "/echo/x").as("other", "other-secret")
        .header("Idempotency-Key", key).send();
    assertEquals(200, admin.status(), admin::toString);
    assertEquals(200, other.status(), other::toString);
    assertNull(other.header("Idempotent-Replayed"));
    assertEquals(other.header("X-Request-Id"), other.json().getString("requestId"));
    assertEquals(1, eventsOf(other.header("X-Request-Id"), OTHER_TENANT).size());
  }

  @Test
  void an_operations_error_is_replayed_too() {
    String key = UUID.randomUUID().toString();
    Response first = admin(http.post(FIX + "/fails-with-status")).header("Idempotency-Key", key).send();
    assertEquals(409, first.status(), first::toString);
    assertEquals(new JsonObject().put("message", "Already done").put("code", "ALREADY_DONE"), first.json());

    Response again = admin(http.post(FIX + "/fails-with-status")).header("Idempotency-Key", key).send();
    assertEquals(409, again.status(), again::toString);
    assertEquals(first.json(), again.json());
    assertEquals("true", again.header("Idempotent-Replayed"));
    assertEquals(0, eventsOf(again.header("X-Request-Id")).size());
  }

  @Test
  void a_call_that_could_not_run_releases_its_key() {
    String key = UUID.randomUUID().toString();
    for (int i = 0; i < 2; i++) {
      Response r = admin(http.post("/absent/" + DEMO_TENANT)).header("Idempotency-Key", key).send();
      assertEquals(503, r.status(), r::toString);
      assertEquals("PLUGIN_NOT_STARTED", r.json().getString("code"));
    }
  }

  @Test
  void an_unusable_key_is_400() {
    Response tooLong = admin(http.post(FIX + "/echo/x")).header("Idempotency-Key", "k".repeat(256)).send();
    assertEquals(400, tooLong.status(), tooLong::toString);
    assertEquals(new JsonObject().put("message", "Invalid header 'Idempotency-Key': it must have 1 to 255 characters")
        .put("code", "INVALID_IDEMPOTENCY_KEY"), tooLong.json());
    Response empty = admin(http.post(FIX + "/echo/x")).header("Idempotency-Key", "").send();
    assertEquals(400, empty.status(), empty::toString);
    assertEquals(0, eventsOf(tooLong.header("X-Request-Id")).size());
  }

  private static RouteConfig route(String path, String operation) {
    return new RouteConfig("POST", ROUTE + path, FIXTURE_OPERATIONS + ":" + operation, EVENTS_WRITE, null);
  }

  private static Http.Request admin(Http.Request request) {
    return request.as("admin", "admin-secret");
  }

  private JsonArray eventsOf(String requestId) {
    return eventsOf(requestId, DEMO_TENANT);
  }

  private JsonArray eventsOf(String requestId, String tenant) {
    String user = tenant.equals(DEMO_TENANT) ? "reader" : "other";
    Response r = http.get("/event/" + tenant + "/events/request/" + requestId).as(user, user + "-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.jsonArray();
  }

  private int inFlight(String pluginId) {
    return admin(http.get("/admin/plugins")).send().json().getJsonArray("plugins").stream().map(p -> (JsonObject) p)
        .filter(p -> p.getString("id").equals(pluginId)).findFirst().orElseThrow().getInteger("inFlightCalls");
  }
}
