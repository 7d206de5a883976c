package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.behavioral.WebhookIngestionTest.HOOK;
import static io.tidemark.gateway.behavioral.WebhookIngestionTest.MAPPED_HOOK;
import static io.tidemark.gateway.behavioral.WebhookIngestionTest.WRONG_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.BehavioralConfig;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Unauthorised webhook attempts cost the processing log a bounded amount: so many entries a
 * minute per webhook, each with at most the first 4 KiB of the body.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnauthorizedWebhookLogTest {

  // Two a minute, refilled one every 30 s: far longer than the test takes.
  private static final int LOGGED_PER_MINUTE = 2;

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), UnauthorizedWebhookLogTest.class, c -> c
        .withBehavioral(new BehavioralConfig(100, LOGGED_PER_MINUTE)));
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void beyond_the_limit_an_attempt_is_answered_401_but_not_logged_and_other_webhooks_keep_theirs() {
    String body = "{\"event_name\":\"Flood_Event\"}";
    for (int i = 0; i < LOGGED_PER_MINUTE + 3; i++) {
      Response r = wronglySigned(HOOK, body).send();
      assertEquals(401, r.status(), r::toString);
      assertEquals("Basic realm=\"tidemark\"", r.header("WWW-Authenticate"));
    }
    assertEquals(LOGGED_PER_MINUTE, unauthorizedLogsOf("Flood_Event").size());
    // The allowance is per webhook: the other one's attempt is still logged.
    assertEquals(401, wronglySigned(MAPPED_HOOK, "{\"event_name\":\"Other_Hook_Event\"}").send().status());
    assertEquals(1, unauthorizedLogsOf("Other_Hook_Event").size());
  }

  @Test
  void an_unauthorised_entry_keeps_only_the_first_4_kib_of_the_body() {
    // 4,095 ASCII bytes up to the pad's first "é", whose two bytes straddle the 4 KiB cut.
    String prefix = "{\"event_name\":\"Big_Event\",\"pad\":\"";
    String body = prefix + "a".repeat(4095 - prefix.length()) + "é".repeat(3000) + "\"}";
    assertEquals(401, wronglySigned(MAPPED_HOOK, body).send().status());
    JsonArray logged = unauthorizedLogsOf("Big_Event");
    assertEquals(1, logged.size(), logged::encode);
    String stored = logged.getJsonObject(0).getString("inputRequest");
    assertEquals(prefix + "a".repeat(4095 - prefix.length()), stored);
    assertEquals(4095, stored.getBytes(StandardCharsets.UTF_8).length);
  }

  private Http.Request wronglySigned(String hook, String body) {
    return WebhookIngestionTest.signedAt(http, hook, WRONG_SECRET, body, "msg_" + UUID.randomUUID(),
        Instant.now().getEpochSecond());
  }

  private JsonArray unauthorizedLogsOf(String eventName) {
    Response r = http.get("/v2/events/logs?limit=100&status=UNAUTHORIZED&event_name=" + eventName)
        .as("reader", "reader-secret").send();
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonArray("data");
  }
}
