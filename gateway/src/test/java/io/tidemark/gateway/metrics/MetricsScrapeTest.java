package io.tidemark.gateway.metrics;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.TestPlugins;
import io.tidemark.gateway.config.Permission;
import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.config.RouteConfig;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /metrics} scraped before and after real traffic: every documented family is there,
 * and each request, plugin call, commit, ingestion and firing moves exactly the series it should.
 * The tests of this class run one after another (its gateway is its own), so the differences are exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsScrapeTest {

  private static final String HOOK = "67b62dffb7f5337f8a8237970bd0a467";
  private static final String POLICIES = "/policy/" + DEMO_TENANT + "/policies";
  private static final String POLICY_ROUTE = "route=\"/policy/:tenantLocator/policies\"";

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), MetricsScrapeTest.class);
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private Scrape scrape() {
    Response r = http.get("/metrics").send();
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
    return Scrape.parse(r.body());
  }

  @Test
  void a_scrape_names_every_documented_family() {
    http.get("/health").send();
    Scrape scrape = scrape();
    for (String family : List.of(
        "vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_bucket",
        "vertx_http_server_active_requests", "vertx_pool_in_use", "vertx_pool_queue_pending",
        "tidemark_store_batch_seconds_count", "tidemark_store_batch_calls_bucket", "tidemark_store_batch_events_bucket",
        "tidemark_store_batch_split_total", "tidemark_schedule_firings_total", "tidemark_schedule_misfires_total",
        "tidemark_schedule_failed_jobs_total", "tidemark_schedule_lag_seconds_count",
        "tidemark_live_connections", "tidemark_live_events_total", "tidemark_live_disconnects_total",
        "tidemark_delivery_attempts_total", "tidemark_delivery_lag_seconds_count", "tidemark_delivery_given_up_total",
        "tidemark_delivery_disabled_total",
        "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads", "process_cpu_usage",
        "process_uptime_seconds", "process_files_open_files", "system_cpu_count")) {
      assertTrue(scrape.hasName(family), "no " + family + " in the scrape");
    }
    assertTrue(scrape.has("vertx_pool_in_use{pool_name=\"tidemark-" + schema() + "\",pool_type=\"sql\"}"),
        "the request path's SQL pool, by name");
  }

  @Test
  void a_policy_call_moves_its_http_plugin_and_store_series_by_exactly_one() {
    Scrape before = scrape();
    Response ok = http.post(POLICIES).as("admin", "admin-secret").body(policy(120.5, "2027-01-01T00:00:00Z")).send();
    assertEquals(201, ok.status(), ok::toString);
    Response rejected = http.post(POLICIES).as("admin", "admin-secret").body(policy(0, "2027-01-01T00:00:00Z")).send();
    assertEquals(422, rejected.status(), rejected::toString);
    Scrape after = scrape();

    assertEquals(1, after.grew(before, "vertx_http_server_requests_total{code=\"201\",method=\"POST\"," + POLICY_ROUTE + "}"));
    assertEquals(1, after.grew(before, "vertx_http_server_requests_total{code=\"422\",method=\"POST\"," + POLICY_ROUTE + "}"));
    assertEquals(2, after.grew(before, "vertx_http_server_response_time_seconds_count{code=\"201\",method=\"POST\","
        + POLICY_ROUTE + "}") + after.grew(before, "vertx_http_server_response_time_seconds_count{code=\"422\",method=\"POST\","
        + POLICY_ROUTE + "}"));
    String calls = "tidemark_plugin_calls_seconds_count{op=\"issue-policy\",outcome=\"%s\",plugin=\"policy-lifecycle\"}";
    assertEquals(1, after.grew(before, calls.formatted("ok")));
    assertEquals(1, after.grew(before, calls.formatted("error")), "a rejection is the plugin's error outcome");
    assertEquals(2, after.grew(before, "tidemark_plugin_queue_wait_seconds_count{plugin=\"policy-lifecycle\"}"));
    assertEquals(0, after.value("tidemark_plugin_queue_depth{plugin=\"policy-lifecycle\"}"));
    // Issued: underwriting_checked + issued; rejected: underwriting_checked (kept though the call failed).
    assertEquals(3, after.grew(before, "tidemark_events_committed_total{tenant=\"" + DEMO_TENANT + "\"}"));
    assertEquals(2, after.grew(before, "tidemark_store_batch_calls_sum"));
    assertEquals(3, after.grew(before, "tidemark_store_batch_events_sum"));
    assertTrue(after.grew(before, "tidemark_store_batch_seconds_count{outcome=\"committed\"}") >= 1);
    assertEquals(0, after.grew(before, "tidemark_store_batch_seconds_count{outcome=\"failed\"}"));
  }

  @Test
  void unmatched_paths_share_one_series_instead_of_one_per_path() {
    Scrape before = scrape();
    for (int i = 0; i < 3; i++) {
      assertEquals(404, http.get("/no/such/" + UUID.randomUUID()).send().status());
    }
    Scrape after = scrape();
    assertEquals(3, after.grew(before, "vertx_http_server_requests_total{code=\"404\",method=\"GET\",route=\"\"}"));
    assertTrue(after.series().keySet().stream().noneMatch(s -> s.contains("/no/such/")), "a raw path became a label");
  }

  @Test
  void a_webhook_ingestion_is_counted_by_webhook_and_log_status() {
    Scrape before = scrape();
    String body = "{\"event_name\":\"Not_Defined_Anywhere\"}";
    // Basic auth of a user with events:ingest in the webhook's tenant: one of the two proofs.
    Response r = http.post("/v2/webhooks/" + HOOK + "/events").as("admin", "admin-secret").body(body).send();
    String status = r.json().getJsonObject("data").getString("status");
    Scrape after = scrape();
    assertEquals(1, after.grew(before, "tidemark_webhook_ingestions_total{status=\"" + status + "\",webhook=\"" + HOOK + "\"}"));
  }

  @Test
  void a_firing_is_counted_with_its_lag() {
    Scrape before = scrape();
    // Ends in a second: its policy.expired fires then.
    String end = Instant.now().plusSeconds(1).toString();
    assertEquals(201, http.post(POLICIES).as("admin", "admin-secret").body(policy(10, end)).send().status());
    Scrape after = Poll.until(() -> {
      Scrape s = scrape();
      return s.grew(before, "tidemark_schedule_firings_total{outcome=\"fired\"}") >= 1 ? s : null;
    }, "the policy's expiry to fire");
    assertEquals(1, after.grew(before, "tidemark_schedule_firings_total{outcome=\"fired\"}"));
    assertEquals(1, after.grew(before, "tidemark_schedule_lag_seconds_count"));
    assertEquals(0, after.grew(before, "tidemark_schedule_firings_total{outcome=\"failed\"}"));
  }

  @Test
  void a_management_port_serves_metrics_there_and_not_on_the_api_port() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    int managementPort = port;
    try (TestGateway managed = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), MetricsScrapeTest.class,
        c -> c.withMetrics(c.metrics().withPort(managementPort)))) {
      assertEquals(404, managed.http().get("/metrics").send().status());
      Response scrape = new Http("http://127.0.0.1:" + managementPort).get("/metrics").send();
      assertEquals(200, scrape.status());
      assertTrue(Scrape.parse(scrape.body()).hasName("tidemark_store_batch_seconds_count"));
    }
  }

  @Test
  void plugin_calls_that_time_out_or_are_refused_are_counted_as_such() throws Exception {
    String route = "/fixture/{tenantLocator}";
    String fixture = "/fixture/" + DEMO_TENANT;
    // One thread, no queue: a second call while one runs is refused at once.
    try (TestGateway small = TestGateway.startInFreshSchema(TestGateway.testConfig(), MetricsScrapeTest.class, c -> c
        .withPlugins(new PluginsConfig(TestPlugins.directoryWith(TestPlugins.FIXTURE_OPERATIONS).toString(), 10_000, 1, 10,
            Map.of()).withQueue(0, 0, 1000))
        .withRoutes(List.of(
            new RouteConfig("POST", route + "/sleep", TestPlugins.FIXTURE_OPERATIONS + ":sleep", Permission.EVENTS_WRITE, 200))))) {
      Http client = small.http();
      Scrape before = Scrape.parse(client.get("/metrics").send().body());
      CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() ->
          client.post(fixture + "/sleep?ms=600").as("admin", "admin-secret").send());
      Poll.until(() -> Scrape.parse(client.get("/metrics").send().body())
          .value("tidemark_plugin_in_flight{plugin=\"" + TestPlugins.FIXTURE_OPERATIONS + "\"}") == 1, "the slow call to run");
      Response refused = client.post(fixture + "/sleep?ms=0").as("admin", "admin-secret").send();
      assertEquals(503, refused.status(), refused::toString);
      assertEquals(504, slow.get(30, TimeUnit.SECONDS).status());
      Poll.until(() -> Scrape.parse(client.get("/metrics").send().body())
          .value("tidemark_plugin_in_flight{plugin=\"" + TestPlugins.FIXTURE_OPERATIONS + "\"}") == 0, "the slow call to end");

      Scrape after = Scrape.parse(client.get("/metrics").send().body());
      String calls = "tidemark_plugin_calls_seconds_count{op=\"sleep\",outcome=\"%s\",plugin=\"" + TestPlugins.FIXTURE_OPERATIONS + "\"}";
      assertEquals(1, after.grew(before, calls.formatted("timeout")));
      assertEquals(1, after.grew(before, calls.formatted("rejected")));
      assertEquals(0, after.grew(before, calls.formatted("ok")));
    }
  }

  private String schema() {
    return gateway.config().database().schema();
  }

  private static String policy(double premium, String end) {
    return "{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"" + end + "\",\"premium\":" + premium + "}";
  }
}
