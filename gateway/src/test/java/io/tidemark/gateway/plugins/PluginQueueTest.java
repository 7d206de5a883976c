package io.tidemark.gateway.plugins;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static io.tidemark.gateway.TestPlugins.FIXTURE_OPERATIONS;
import static io.tidemark.gateway.config.Permission.EVENTS_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.config.RouteConfig;
import io.tidemark.gateway.config.WebhookConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Calls beyond a plugin's threads wait in its fair queue: real gateway, real fixture jar. The
 * fixture's {@code hang} operation holds a thread until the test opens its latch, so the queue
 * is filled exactly, without timing guesses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginQueueTest {

  private static final String A = "/fixture/" + DEMO_TENANT;   // tenant A: user admin
  private static final String B = "/fixture/" + OTHER_TENANT;  // tenant B: user other
  private static final String ROUTE = "/fixture/{tenantLocator}";
  private static final int SLOTS = 2;
  private static final int QUEUE = 4;
  private static final int TENANT_SHARE = 3;
  private static final String HOOK = "0123456789abcdef0123456789abcdef";

  private final ExecutorService clients = Executors.newCachedThreadPool();
  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = gatewayWith(SLOTS, QUEUE, TENANT_SHARE, 30_000);
    http = gateway.http();
  }

  @AfterEach
  void releaseLeftovers() {
    releaseHangs(gateway);
    Poll.until(() -> inFlight(http) == 0 && queued(http) == 0, "the plugin is idle again");
  }

  @AfterAll
  void stop() {
    clients.shutdownNow();
    gateway.close();
  }

  private static TestGateway gatewayWith(int slots, int queue, int tenantShare, int queueWaitMillis) {
    return TestGateway.startInFreshSchema(TestGateway.testConfig(), PluginQueueTest.class, c -> c
        .withPlugins(new PluginsConfig(TestPlugins.directoryWith(FIXTURE_OPERATIONS).toString(), 10_000, slots, 10, Map.of())
            .withQueue(queue, tenantShare, queueWaitMillis))
        .withWebhooks(List.of(new WebhookConfig(HOOK, "demo", "whsec_cXVldWUgdGVzdCB3ZWJob29rIHNlY3JldA==", null, null, null)))
        .withRoutes(List.of(
            route(ROUTE + "/hang", "hang", 30_000),
            route(ROUTE + "/sleep", "sleep", null),
            route(ROUTE + "/sleep-within-300ms", "sleep", 300),
            route(ROUTE + "/echo", "echo", null))));
  }

  private static RouteConfig route(String path, String operation, Integer timeoutMillis) {
    return new RouteConfig("POST", path, FIXTURE_OPERATIONS + ":" + operation, EVENTS_WRITE, timeoutMillis);
  }

  @Test
  void more_calls_than_threads_wait_their_turn_and_all_succeed() throws Exception {
    List<CompletableFuture<Response>> calls = holdEveryThread();
    for (int i = 0; i < TENANT_SHARE; i++) {
      calls.add(async(() -> asA(http.post(A + "/sleep?ms=0")).send()));
    }
    calls.add(async(() -> asB(http.post(B + "/echo")).send()));
    Poll.until(() -> queued(http) == TENANT_SHARE + 1, "the calls beyond the threads are queued");

    releaseHangs(gateway);
    for (CompletableFuture<Response> call : calls) {
      Response r = call.get(30, TimeUnit.SECONDS);
      assertEquals(200, r.status(), r::toString);
    }
  }

  @Test
  void a_full_queue_answers_503_plugin_busy_with_retry_after() throws Exception {
    List<CompletableFuture<Response>> calls = holdEveryThread();
    fillTenantAShare(calls);
    calls.add(async(() -> asB(http.post(B + "/echo")).send()));
    Poll.until(() -> queued(http) == QUEUE, "the queue is full");

    Response busy = asB(http.post(B + "/echo")).send();
    assertEquals(503, busy.status(), busy::toString);
    assertEquals("1", busy.header("Retry-After"));
    assertEquals("application/json", busy.header("Content-Type"));
    assertEquals(new JsonObject()
        .put("message", "Plugin 'fixture-operations' has 4 calls waiting, its limit; retry later")
        .put("code", "PLUGIN_BUSY"), busy.json());

    releaseHangs(gateway);
    for (CompletableFuture<Response> call : calls) {
      assertEquals(200, call.get(30, TimeUnit.SECONDS).status());
    }
  }

  @Test
  void a_tenant_that_floods_the_queue_cannot_starve_another() throws Exception {
    List<CompletableFuture<Response>> calls = holdEveryThread();
    fillTenantAShare(calls);

    Response refused = asA(http.post(A + "/sleep?ms=0")).send();
    assertEquals(503, refused.status(), refused::toString);
    assertEquals("1", refused.header("Retry-After"));
    assertEquals(new JsonObject()
        .put("message", "Plugin 'fixture-operations' has 3 calls of this tenant waiting, a tenant's limit; retry later")
        .put("code", "PLUGIN_BUSY"), refused.json());

    // The queue has a place left, and it is tenant B's.
    CompletableFuture<Response> other = async(() -> asB(http.post(B + "/echo")).send());
    Poll.until(() -> queued(http) == QUEUE, "tenant B's call is queued");

    releaseHangs(gateway);
    Response served = other.get(30, TimeUnit.SECONDS);
    assertEquals(200, served.status(), served::toString);
    assertEquals(OTHER_TENANT, served.json().getString("tenantLocator"));
    for (CompletableFuture<Response> call : calls) {
      assertEquals(200, call.get(30, TimeUnit.SECONDS).status());
    }
  }

  @Test
  void a_call_time_limit_starts_when_it_runs_not_when_it_is_queued() throws Exception {
    List<CompletableFuture<Response>> calls = holdEveryThread();
    CompletableFuture<Response> limited = async(() -> asA(http.post(A + "/sleep-within-300ms?ms=0")).send());
    Poll.until(() -> queued(http) == 1, "the call with a 300 ms limit is queued");
    // Not waiting for async work: the condition under test is that the call stays queued for
    // longer than its limit. Counted from the queueing, it would have failed 504 by now.
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
    for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
    assertEquals(1, queued(http), "still queued");

    releaseHangs(gateway);
    Response r = limited.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.status(), r::toString);
    for (CompletableFuture<Response> call : calls) {
      assertEquals(200, call.get(30, TimeUnit.SECONDS).status());
    }
  }

  @Test
  void a_call_that_waits_too_long_answers_503_plugin_queue_timeout() throws Exception {
    try (TestGateway impatient = gatewayWith(1, 10, 5, 300)) {
      Http client = impatient.http();
      CompletableFuture<Response> hung = async(() -> asA(client.post(A + "/hang")).send());
      Poll.until(() -> inFlight(client) == 1, "the only thread is held");

      Response timedOut = asA(client.post(A + "/echo")).send();
      assertEquals(503, timedOut.status(), timedOut::toString);
      assertEquals("1", timedOut.header("Retry-After"));
      assertEquals(new JsonObject()
          .put("message", "Operation fixture-operations:echo waited 300 ms for plugin 'fixture-operations' "
              + "to have a free thread; retry later")
          .put("code", "PLUGIN_QUEUE_TIMEOUT"), timedOut.json());
      assertEquals(0, queued(client), "it left the queue");

      releaseHangs(impatient);
      assertEquals(200, hung.get(30, TimeUnit.SECONDS).status());
      assertEquals(200, asA(client.post(A + "/echo")).send().status());
    }
  }

  @Test
  void stopping_the_plugin_answers_its_queued_calls_503_plugin_stopped() throws Exception {
    try (TestGateway stopping = gatewayWith(1, 10, 5, 30_000)) {
      Http client = stopping.http();
      ClassLoader plugin = stopping.gateway().plugins().started(FIXTURE_OPERATIONS).orElseThrow().classLoader();
      CompletableFuture<Response> hung = async(() -> asA(client.post(A + "/hang")).send());
      Poll.until(() -> inFlight(client) == 1, "the only thread is held");
      CompletableFuture<Response> waiting = async(() -> asA(client.post(A + "/echo")).send());
      Poll.until(() -> queued(client) == 1, "a call is queued");

      assertEquals(200, asA(client.post("/admin/plugins/" + FIXTURE_OPERATIONS + "/stop")).send().status());
      Response refused = waiting.get(30, TimeUnit.SECONDS);
      assertEquals(503, refused.status(), refused::toString);
      assertEquals(new JsonObject()
          .put("message", "Plugin 'fixture-operations' stopped before the call could run")
          .put("code", "PLUGIN_STOPPED"), refused.json());
      assertEquals(0, queued(client));

      openLatch(plugin);
      assertEquals(200, hung.get(30, TimeUnit.SECONDS).status(), "a running call is not cut short");
      assertEquals(200, asA(client.post("/admin/plugins/" + FIXTURE_OPERATIONS + "/start")).send().status());
      assertEquals(200, asA(client.post(A + "/echo")).send().status(), "a restarted plugin queues again");
    }
  }

  @Test
  void a_webhook_whose_processor_cannot_get_a_thread_answers_503_for_the_sender_to_retry() throws Exception {
    Response defined = asA(http.post("/v2/events")).body(new JsonObject().put("eventName", "Queue_Test")
        .put("actions", new JsonArray().add("explodes"))
        .put("fields", new JsonArray().add(new JsonObject().put("name", "note").put("type", "string"))).encode()).send();
    assertEquals(201, defined.status(), defined::toString);
    List<CompletableFuture<Response>> calls = holdEveryThread();
    fillTenantAShare(calls);

    Response busy = asA(http.post("/v2/webhooks/" + HOOK + "/events"))
        .body("{\"event_name\":\"Queue_Test\",\"note\":\"x\"}").send();
    assertEquals(503, busy.status(), busy::toString);
    assertEquals("1", busy.header("Retry-After"));
    JsonObject data = busy.json().getJsonObject("data");
    assertEquals("PLUGIN_BUSY", data.getString("status"));
    assertEquals("Service unavailable, retry later: Plugin 'fixture-operations' has 3 calls of this tenant waiting, "
        + "a tenant's limit; retry later", data.getString("message"));
    String requestId = busy.header("X-Request-Id");
    assertNotNull(requestId);
    Response events = asA(http.get("/event/" + DEMO_TENANT + "/events/request/" + requestId)).send();
    assertEquals(new JsonArray(), events.jsonArray(), "the processor never ran: nothing is kept for the retry to duplicate");
    Response logged = asA(http.get("/v2/events/logs?status=PLUGIN_BUSY&event_name=Queue_Test")).send();
    assertEquals(1, logged.json().getJsonArray("data").size(), logged::toString);

    releaseHangs(gateway);
    for (CompletableFuture<Response> call : calls) {
      assertEquals(200, call.get(30, TimeUnit.SECONDS).status());
    }
  }

  // ---- helpers

  /** Holds every thread of the plugin with a call that hangs until {@link #releaseHangs}. */
  private List<CompletableFuture<Response>> holdEveryThread() {
    List<CompletableFuture<Response>> calls = new ArrayList<>();
    for (int i = 0; i < SLOTS; i++) {
      calls.add(async(() -> asA(http.post(A + "/hang")).send()));
    }
    Poll.until(() -> inFlight(http) == SLOTS, "every thread is held");
    return calls;
  }

  private void fillTenantAShare(List<CompletableFuture<Response>> calls) {
    for (int i = 0; i < TENANT_SHARE; i++) {
      calls.add(async(() -> asA(http.post(A + "/sleep?ms=0")).send()));
    }
    Poll.until(() -> queued(http) == TENANT_SHARE, "tenant A's share of the queue is full");
  }

  private CompletableFuture<Response> async(Supplier<Response> call) {
    return CompletableFuture.supplyAsync(call, clients);
  }

  /** Opens the fixture's latch through the plugin's class loader: its own release call would queue. */
  private static void releaseHangs(TestGateway gateway) {
    gateway.gateway().plugins().started(FIXTURE_OPERATIONS).ifPresent(p -> openLatch(p.classLoader()));
  }

  private static void openLatch(ClassLoader loader) {
    try {
      java.lang.reflect.Field field = loader.loadClass("io.tidemark.fixtures.ops.FixtureOperations").getDeclaredField("hangs");
      field.setAccessible(true);
      CountDownLatch current = (CountDownLatch) field.get(null);
      field.set(null, new CountDownLatch(1));
      current.countDown();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Http.Request asA(Http.Request request) {
    return request.as("admin", "admin-secret");
  }

  private static Http.Request asB(Http.Request request) {
    return request.as("other", "other-secret");
  }

  private static int inFlight(Http http) {
    return fixture(http).getInteger("inFlightCalls");
  }

  private static int queued(Http http) {
    return fixture(http).getInteger("queuedCalls");
  }

  private static JsonObject fixture(Http http) {
    Response r = asA(http.get("/admin/plugins")).send();
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonArray("plugins").stream().map(p -> (JsonObject) p)
        .filter(p -> p.getString("id").equals(FIXTURE_OPERATIONS)).findFirst().orElseThrow();
  }
}
