package io.tidemark.gateway.http;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /health/live} and {@code /health/ready}: what orchestrators and load balancers act on. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthProbesTest {

  private static final JsonObject ALL_UP = new JsonObject().put("status", "UP").put("checks", new JsonObject()
      .put("database", "UP").put("migrations", "UP").put("plugins", "UP").put("scheduler", "UP"));

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), HealthProbesTest.class);
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void live_answers_200_without_credentials() {
    Response live = http.get("/health/live").send();
    assertEquals(200, live.status());
    assertEquals(new JsonObject().put("status", "UP").put("checks", new JsonObject()), live.json());
  }

  @Test
  void ready_names_every_check_and_answers_200_when_all_pass() {
    Response ready = http.get("/health/ready").send();
    assertEquals(200, ready.status(), ready::toString);
    assertEquals(ALL_UP, ready.json());
    assertNull(ready.header("Retry-After"));
  }

  @Test
  void ready_fails_while_a_required_plugin_is_stopped_and_recovers_when_it_starts() {
    assertEquals(200, http.post("/admin/plugins/loyalty-processors/stop").as("admin", "admin-secret").send().status());
    try {
      Response ready = http.get("/health/ready").send();
      assertEquals(503, ready.status(), ready::toString);
      assertEquals("1", ready.header("Retry-After"));
      assertEquals(new JsonObject().put("status", "DOWN")
              .put("checks", ALL_UP.getJsonObject("checks").copy().put("plugins", "DOWN"))
              .put("reasons", new JsonObject().put("plugins", "required plugins not started: loyalty-processors")),
          ready.json());
      // Liveness is about the process: restarting it would not start the plugin.
      assertEquals(200, http.get("/health/live").send().status());
    } finally {
      assertEquals(200, http.post("/admin/plugins/loyalty-processors/start").as("admin", "admin-secret").send().status());
    }
    assertEquals(ALL_UP, http.get("/health/ready").send().json());
  }

  @Test
  void on_shutdown_ready_fails_first_while_requests_are_still_served_for_the_drain_delay() {
    TestGateway draining = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), HealthProbesTest.class,
        c -> c.withHttp(c.http().withShutdown(5, 3)));
    Http client = draining.http();
    assertEquals(200, client.get("/health/ready").send().status());

    Future<Void> stopped = draining.gateway().stop();
    Response ready = Poll.until(() -> {
      Response r = client.get("/health/ready").send();
      return r.status() == 503 ? r : null;
    }, "readiness to fail once shutdown began");
    assertEquals("DOWN", ready.json().getJsonObject("checks").getString("shutdown"));
    assertEquals("DOWN", ready.json().getString("status"));
    // Still serving: a balancer that has not yet noticed loses nothing.
    assertEquals(200, client.get("/event/" + DEMO_TENANT + "/events/list").as("reader", "reader-secret").send().status());

    TestGateway.await(stopped);
    draining.close();
  }
}
