package io.tidemark.gateway.plugins;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static io.tidemark.gateway.TestPlugins.FIXTURE_FAILING_START;
import static io.tidemark.gateway.TestPlugins.FIXTURE_OLD_JACKSON;
import static io.tidemark.gateway.TestPlugins.FIXTURE_OPERATIONS;
import static io.tidemark.gateway.TestPlugins.POLICY_LIFECYCLE;
import static io.tidemark.gateway.config.Permission.EVENTS_READ;
import static io.tidemark.gateway.config.Permission.EVENTS_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.tidemark.gateway.config.InstalledPluginConfig;
import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.config.RouteConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Plugin operations end to end: real jars, real HTTP, events read back from the real store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginOperationsTest {

  private static final String FIX = "/fixture/" + DEMO_TENANT;
  private static final String ROUTE = "/fixture/{tenantLocator}";
  private static final int MAX_CONCURRENT = 4;

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() throws Exception {
    Path dir = TestPlugins.directoryWith(POLICY_LIFECYCLE, FIXTURE_OPERATIONS, FIXTURE_OLD_JACKSON, FIXTURE_FAILING_START);
    Files.write(dir.resolve("corrupt.jar"), "this is not a zip file".getBytes());
    gateway = TestGateway.startInFreshSchema(TestGateway.testConfig(), PluginOperationsTest.class, c -> c
        .withPlugins(new PluginsConfig(dir.toString(), 10_000, MAX_CONCURRENT, 10, Map.of(
            FIXTURE_OPERATIONS, new InstalledPluginConfig(true, Map.of("greeting", "hello", "limits", Map.of("n", 3)))))
            .withQueue(1000, 500, 60_000)) // a call queued behind hung ones outlasts the slow Jackson call
        .withRoutes(List.of(
            route("POST", ROUTE + "/echo/{thing}", "echo"),
            route("POST", ROUTE + "/throws", "throws"),
            route("POST", ROUTE + "/fails-with-status", "fails-with-status"),
            route("POST", ROUTE + "/error-result", "error-result"),
            new RouteConfig("POST", ROUTE + "/hang", FIXTURE_OPERATIONS + ":hang", EVENTS_WRITE, 300),
            new RouteConfig("POST", ROUTE + "/hang-long", FIXTURE_OPERATIONS + ":hang", EVENTS_WRITE, 30_000),
            route("POST", ROUTE + "/release", "release"),
            route("POST", ROUTE + "/sleep", "sleep"),
            route("POST", ROUTE + "/emit-invalid", "emit-invalid"),
            new RouteConfig("GET", "/fixture/jackson", FIXTURE_OLD_JACKSON + ":jackson-version", EVENTS_READ,
            60_000), // its first call loads a second Jackson: slow on a busy CI machine, not what is tested
            new RouteConfig("POST", "/policy/{tenantLocator}/policies", "policy-lifecycle:issue-policy", EVENTS_WRITE, null),
            new RouteConfig("POST", "/absent/{tenantLocator}", "absent-plugin:op", EVENTS_WRITE, null))));
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    admin(http.post(FIX + "/release")).send();
    gateway.close();
  }

  private static RouteConfig route(String method, String path, String operation) {
    return new RouteConfig(method, path, FIXTURE_OPERATIONS + ":" + operation, EVENTS_WRITE, null);
  }

  // ---- success

  @Test
  void an_operation_sees_its_call_and_answers_with_its_result() {
    String requestId = "req-" + UUID.randomUUID();
    Response r = admin(http.post(FIX + "/echo/widget?a=1&a=2&b=x")).header("X-Request-Id", requestId)
        .body("{\"nested\": {\"list\": [1, \"two\", null]}, \"flag\": true}").send();

    assertEquals(200, r.status(), r::toString);
    assertEquals("echo", r.header("X-Fixture"));
    JsonObject echo = r.json();
    assertEquals(DEMO_TENANT, echo.getString("tenantLocator"));
    assertEquals(100737, echo.getInteger("orgId"));
    assertEquals("5f0c6f4e-1a2b-4c3d-8e9f-000000000001", echo.getString("userLocator"));
    assertEquals(requestId, echo.getString("requestId"));
    assertEquals(new JsonObject().put("tenantLocator", DEMO_TENANT).put("thing", "widget"), echo.getJsonObject("pathParameters"));
    assertEquals(new JsonObject().put("a", new JsonArray().add("1").add("2")).put("b", new JsonArray().add("x")),
        echo.getJsonObject("queryParameters"));
    assertEquals(new JsonObject("{\"nested\": {\"list\": [1, \"two\", null]}, \"flag\": true}"), echo.getJsonObject("body"));
    assertEquals("{\"nested\": {\"list\": [1, \"two\", null]}, \"flag\": true}", echo.getString("rawBody"));
    assertEquals(new JsonObject().put("greeting", "hello").put("limits", new JsonObject().put("n", 3)),
        echo.getJsonObject("pluginConfig"));
    assertTrue(echo.getString("thread").startsWith("plugin-fixture-operations-"), "runs on the plugin's pool, not an event loop");
    assertTrue(echo.getBoolean("contextClassLoaderIsPlugins"));

    JsonArray events = eventsOf(requestId);
    assertEquals(1, events.size());
    assertEquals("fixture.echoed", events.getJsonObject(0).getString("type"));
    assertEquals(new JsonObject().put("at", "1970-01-01T00:00:00Z").put("n", 1), events.getJsonObject(0).getJsonObject("data"));
  }

  // ---- failures keep the events emitted before them

  @Test
  void an_exception_answers_500_without_its_message_and_keeps_the_events() {
    Response r = admin(http.post(FIX + "/throws")).send();
    assertEquals(500, r.status());
    assertEquals("PLUGIN_FAILED", r.json().getString("code"));
    assertFalse(r.body().contains("internal detail"), r::toString);
    assertTrue(r.json().getString("message").contains(r.header("X-Request-Id")), r::toString);
    assertEquals(List.of("fixture.before_failure"), types(eventsOf(r.header("X-Request-Id"))));
  }

  @Test
  void an_operation_exception_answers_its_status_code_and_message_and_keeps_the_events() {
    Response r = admin(http.post(FIX + "/fails-with-status")).send();
    assertEquals(409, r.status());
    assertEquals(new JsonObject().put("message", "Already done").put("code", "ALREADY_DONE"), r.json());
    assertEquals(List.of("fixture.before_failure"), types(eventsOf(r.header("X-Request-Id"))));
  }

  @Test
  void an_error_result_answers_its_status_and_keeps_the_events() {
    Response r = admin(http.post(FIX + "/error-result")).send();
    assertEquals(422, r.status());
    assertEquals(new JsonObject().put("message", "Rejected by the fixture").put("code", "REJECTED"), r.json());
    assertEquals(List.of("fixture.before_failure"), types(eventsOf(r.header("X-Request-Id"))));
  }

  @Test
  void a_timeout_answers_504_keeps_the_events_and_drops_those_emitted_later() {
    long droppedBefore = dropped(FIXTURE_OPERATIONS);
    Response r = admin(http.post(FIX + "/hang")).send();
    assertEquals(504, r.status(), r::toString);
    assertEquals("PLUGIN_TIMEOUT", r.json().getString("code"));
    assertEquals("Operation fixture-operations:hang did not finish within 300 ms", r.json().getString("message"));
    assertEquals(List.of("fixture.before_hang"), types(eventsOf(r.header("X-Request-Id"))));

    assertEquals(204, admin(http.post(FIX + "/release")).send().status());
    // The released call emits once more, after its call ended: dropped, and counted.
    Poll.until(() -> dropped(FIXTURE_OPERATIONS) > droppedBefore, "the late event is counted as dropped");
    assertEquals(List.of("fixture.before_hang"), types(eventsOf(r.header("X-Request-Id"))));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "blank,   an event type must be 1 to 200 characters",
      "long,    an event type must be 1 to 200 characters",
      "notjson, 'event ''fixture.bad'': data.thing: a java.lang.Object is not a JSON value'",
      "nan,     'event ''fixture.bad'': data.x: NaN is not a JSON number'",
      "big,     event 'fixture.bad' takes"})
  void an_invalid_event_fails_the_call_and_keeps_the_valid_events_before_it(String kind, String problem) {
    Response r = admin(http.post(FIX + "/emit-invalid?kind=" + kind)).send();
    assertEquals(500, r.status(), r::toString);
    assertEquals("INVALID_EVENT", r.json().getString("code"));
    assertTrue(r.json().getString("message").startsWith(
        "Operation fixture-operations:emit-invalid emitted an invalid event: " + problem), r::toString);
    assertEquals(List.of("fixture.valid"), types(eventsOf(r.header("X-Request-Id"))));
  }

  @Test
  void more_than_1000_events_fail_the_call_keeping_the_first_1000() {
    Response r = admin(http.post(FIX + "/emit-invalid?kind=toomany")).send();
    assertEquals(500, r.status(), r::toString);
    assertTrue(r.json().getString("message").endsWith("a call may emit at most 1000 events"), r::toString);
    JsonArray events = eventsOf(r.header("X-Request-Id"));
    assertEquals(1000, events.size());
    assertEquals(999, events.getJsonObject(999).getJsonObject("data").getInteger("i"));
  }

  // ---- ordering

  @Test
  void a_call_that_finishes_first_comes_first_even_if_it_started_later() throws Exception {
    String slowId = "slow-" + UUID.randomUUID();
    String fastId = "fast-" + UUID.randomUUID();
    // The slow call hangs until released: it finishes last by construction, not by a sleep.
    CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() ->
        admin(http.post(FIX + "/hang-long")).header("X-Request-Id", slowId).send());
    try {
      Poll.until(() -> inFlight(FIXTURE_OPERATIONS) >= 1, "the slow call is in flight");
      Response fast = admin(http.post(FIX + "/sleep?ms=0")).header("X-Request-Id", fastId).send();
      assertEquals(200, fast.status());
      assertEquals(List.of(fastId), requestsInStreamOrder(slowId, fastId), "the slow call has appended nothing yet");
    } finally {
      releaseHangs();
    }
    assertEquals(200, slow.get(30, TimeUnit.SECONDS).status());
    assertEquals(List.of(fastId, slowId), requestsInStreamOrder(slowId, fastId));
  }

  /** The requests among {@code ids} that have events, in the order of their first event in the stream. */
  private List<String> requestsInStreamOrder(String... ids) {
    List<String> order = new ArrayList<>();
    TestGateway.await(gateway.gateway().pool().preparedQuery(
            "SELECT request_id FROM event WHERE request_id = ANY($1) GROUP BY request_id ORDER BY min(position)")
        .execute(io.vertx.sqlclient.Tuple.tuple().addArrayOfString(ids))).forEach(row -> order.add(row.getString("request_id")));
    return order;
  }

  // ---- isolation

  @Test
  void hung_calls_exhaust_only_their_own_plugin() throws Exception {
    List<CompletableFuture<Response>> hung = new ArrayList<>();
    for (int i = 0; i < MAX_CONCURRENT; i++) {
      hung.add(CompletableFuture.supplyAsync(() -> admin(http.post(FIX + "/hang-long")).send()));
    }
    try {
      Poll.until(() -> inFlight(FIXTURE_OPERATIONS) == MAX_CONCURRENT, "every thread of the plugin is hung");

      // A further call to that plugin waits its turn in the plugin's queue (PluginQueueTest).
      hung.add(CompletableFuture.supplyAsync(() -> admin(http.post(FIX + "/echo/x")).send()));
      Poll.until(() -> queued(FIXTURE_OPERATIONS) == 1, "the next call is queued");

      // Other plugins, and the gateway's own endpoints, answer while those calls hang.
      assertEquals(201, issuePolicy(100).status());
      assertEquals(200, admin(http.get("/fixture/jackson")).send().status());
      assertEquals(200, http.get("/health").send().status());
    } finally {
      releaseHangs();
    }
    for (CompletableFuture<Response> call : hung) {
      assertEquals(200, call.get(30, TimeUnit.SECONDS).status());
    }
    Poll.until(() -> inFlight(FIXTURE_OPERATIONS) == 0, "the threads come back");
    assertEquals(200, admin(http.post(FIX + "/echo/x")).send().status());
  }

  /**
   * With every thread of the plugin hung, its {@code release} operation cannot get a thread
   * either; so the test opens the fixture's latch itself, through the plugin's class loader.
   */
  private void releaseHangs() {
    try {
      ClassLoader loader = gateway.gateway().plugins().started(FIXTURE_OPERATIONS).orElseThrow().classLoader();
      Class<?> ops = loader.loadClass("io.tidemark.fixtures.ops.FixtureOperations");
      java.lang.reflect.Field latch = ops.getDeclaredField("hangs");
      latch.setAccessible(true);
      java.util.concurrent.CountDownLatch current = (java.util.concurrent.CountDownLatch) latch.get(null);
      latch.set(null, new java.util.concurrent.CountDownLatch(1));
      current.countDown();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_plugin_bundling_another_jackson_uses_its_own() {
    Response r = admin(http.get("/fixture/jackson")).send();
    assertEquals(200, r.status(), r::toString);
    assertEquals("2.15.4", r.json().getString("version"));
    assertNotEquals(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString(), "2.15.4");
    assertTrue(r.json().getBoolean("loadedByPlugin"));
    assertEquals("{\"written\":\"by the plugin's Jackson\"}", r.json().getString("json"));
  }

  // ---- what fails to load or start is reported, the rest serves

  @Test
  void a_corrupt_jar_is_skipped_and_reported() {
    JsonObject plugins = admin(http.get("/admin/plugins")).send().json();
    JsonObject failed = plugins.getJsonArray("failedFiles").getJsonObject(0);
    assertEquals("corrupt.jar", failed.getString("file"));
    assertFalse(failed.getString("reason").isBlank());
    assertEquals("STARTED", plugin(plugins, FIXTURE_OPERATIONS).getString("state"));
  }

  @Test
  void a_plugin_whose_start_throws_is_failed_and_reported() {
    JsonObject failing = plugin(admin(http.get("/admin/plugins")).send().json(), FIXTURE_FAILING_START);
    assertEquals("FAILED", failing.getString("state"));
    assertFalse(failing.getBoolean("serving"));
    assertTrue(failing.getString("problem").contains("cannot reach its licence server"), failing::encode);
  }

  @Test
  void a_route_to_a_plugin_that_is_not_there_answers_503_naming_it() {
    Response r = admin(http.post("/absent/" + DEMO_TENANT)).send();
    assertEquals(503, r.status());
    assertEquals(new JsonObject().put("message", "Plugin 'absent-plugin' is not started").put("code", "PLUGIN_NOT_STARTED"),
        r.json());
  }

  // ---- the gateway guards plugin routes before any plugin code runs

  @Test
  void plugin_routes_need_credentials_permission_and_tenant_and_run_no_plugin_code_otherwise() {
    String requestId = "req-" + UUID.randomUUID();
    assertEquals(401, http.post(FIX + "/echo/x").header("X-Request-Id", requestId).send().status());
    assertEquals(403, http.post(FIX + "/echo/x").as("reader", "reader-secret").header("X-Request-Id", requestId).send().status());
    assertEquals(403, http.post("/fixture/" + OTHER_TENANT + "/echo/x").as("admin", "admin-secret")
        .header("X-Request-Id", requestId).send().status());
    assertEquals(0, eventsOf(requestId).size());
  }

  @Test
  void a_body_that_is_not_a_json_object_is_400_before_the_plugin_runs() {
    Response malformed = admin(http.post(FIX + "/echo/x")).body("{\"unterminated\": ").send();
    assertEquals(400, malformed.status());
    assertEquals("Invalid request body: not valid JSON", malformed.json().getString("message"));
    Response array = admin(http.post(FIX + "/echo/x")).body("[1, 2]").send();
    assertEquals(400, array.status());
    assertEquals("Invalid request body: must be a JSON object", array.json().getString("message"));
    assertEquals(0, eventsOf(malformed.header("X-Request-Id")).size());
  }

  // ---- helpers

  private Response issuePolicy(double premium) {
    return admin(http.post("/policy/" + DEMO_TENANT + "/policies")).body(new JsonObject()
        .put("productName", "home").put("startTime", "2026-01-01T00:00:00Z").put("endTime", "2027-01-01T00:00:00Z")
        .put("premium", premium).encode()).send();
  }

  private static Http.Request admin(Http.Request request) {
    return request.as("admin", "admin-secret");
  }

  private JsonArray eventsOf(String requestId) {
    Response r = http.get("/event/" + DEMO_TENANT + "/events/request/" + requestId).as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.jsonArray();
  }

  private static List<String> types(JsonArray events) {
    return events.stream().map(e -> ((JsonObject) e).getString("type")).toList();
  }

  private long dropped(String pluginId) {
    return plugin(admin(http.get("/admin/plugins")).send().json(), pluginId).getLong("droppedEvents");
  }

  private int inFlight(String pluginId) {
    return plugin(admin(http.get("/admin/plugins")).send().json(), pluginId).getInteger("inFlightCalls");
  }

  private int queued(String pluginId) {
    return plugin(admin(http.get("/admin/plugins")).send().json(), pluginId).getInteger("queuedCalls");
  }

  private static JsonObject plugin(JsonObject list, String id) {
    return list.getJsonArray("plugins").stream().map(p -> (JsonObject) p)
        .filter(p -> p.getString("id").equals(id)).findFirst().orElseThrow(() -> new AssertionError(id + " in " + list));
  }

}
