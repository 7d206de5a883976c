package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One request's bad input never fails another's: a poisoned webhook body among a thousand
 * concurrent good calls of two tenants, on the shipped config, fails alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WritePathIsolationTest {

  private static final String WEBHOOK = "/v2/webhooks/67b62dffb7f5337f8a8237970bd0a467/events";
  private static final int CALLS = 1000;
  private static final int POISON = 438; // even: a webhook call (odd calls are policies)

  private TestGateway gateway;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), WritePathIsolationTest.class);
    Http.Response defined = gateway.http().post("/v2/events").as("admin", "admin-secret")
        .body("{\"eventName\":\"Points_Awarded\",\"actions\":[\"customer-identification\"],"
            + "\"fields\":[{\"name\":\"customer\",\"type\":\"customer\"}]}").send();
    assertEquals(201, defined.status(), defined.body());
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void one_poisoned_request_among_a_thousand_concurrent_good_ones_across_two_tenants_is_the_only_failure() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    // Each user's first request pays for a password hash; this test is about what follows.
    assertEquals(201, client.send(policy(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(200, client.send(webhook(-1), HttpResponse.BodyHandlers.ofString()).statusCode());
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      inFlight.acquire();
      HttpRequest request = i % 2 == 0 ? webhook(i) : policy();
      responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

    Map<Integer, Integer> failures = new TreeMap<>();
    for (int i = 0; i < CALLS; i++) {
      int status = responses.get(i).get().statusCode();
      if (status >= 300) {
        failures.put(i, status);
      }
    }
    assertEquals(Map.of(POISON, 400), failures, "only the poisoned request fails, and with a 400");
    JsonObject poisoned = new JsonObject(responses.get(POISON).get().body());
    assertEquals("INVALID_PAYLOAD", poisoned.getJsonObject("data").getString("status"));
    assertEquals("Invalid payload: $.note contains a NUL character (\\u0000)", poisoned.getJsonObject("data").getString("message"));

    // Nothing lost: every good call's outcome is stored whole (the counts include the two warm-up calls).
    assertEquals(CALLS / 2, count("SELECT count(*) FROM event WHERE type = 'Points_Awarded'"));
    assertEquals(CALLS / 2 + 1, count("SELECT count(*) FROM event_log"), "every attempt has its log entry, the poisoned one too");
    assertEquals(CALLS / 2 + 1, count("SELECT count(*) FROM event WHERE type = 'policy.issued'"));
    assertEquals(CALLS / 2 + 1, count("SELECT count(*) FROM schedule WHERE custom_event_id = 'policy.expired'"));
  }

  private HttpRequest webhook(int i) {
    String body = i == POISON
        ? "{\"event_name\":\"Points_Awarded\",\"customer\":\"919970388310\",\"note\":\"nul\\u0000\"}"
        : "{\"event_name\":\"Points_Awarded\",\"customer\":\"9199703" + i + "\",\"note\":null}";
    return post(WEBHOOK, "admin:admin-secret", body);
  }

  private HttpRequest policy() {
    return post("/policy/" + TestGateway.OTHER_TENANT + "/policies", "other:other-secret",
        "{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2099-01-01T00:00:00Z\",\"premium\":120.5}");
  }

  private HttpRequest post(String path, String credentials, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().port() + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private long count(String sql) throws Exception {
    io.tidemark.gateway.config.DatabaseUrl url = io.tidemark.gateway.config.DatabaseUrl.parse(TestDatabase.url());
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      c.setSchema(gateway.config().database().schema());
      try (ResultSet rs = c.createStatement().executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
