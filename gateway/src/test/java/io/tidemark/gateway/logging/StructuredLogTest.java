package io.tidemark.gateway.logging;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestGateway;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/** One access-log line per request, and the request's id on every line it causes, plugins' included. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StructuredLogTest {

  private static final String POLICIES = "/policy/" + DEMO_TENANT + "/policies";

  private TestGateway gateway;
  private Http http;
  private CapturedLogs logs;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), StructuredLogTest.class);
    http = gateway.http();
    logs = new CapturedLogs();
  }

  @AfterAll
  void stop() {
    logs.close();
    gateway.close();
  }

  @Test
  void every_request_gets_one_access_line_with_its_route_status_user_and_tenant() {
    String id = "log-" + UUID.randomUUID();
    assertEquals(200, http.get("/event/" + DEMO_TENANT + "/events/list?pageSize=1").as("reader", "reader-secret")
        .header("X-Request-Id", id).send().status());

    ILoggingEvent line = accessLine(id);
    Map<String, Object> fields = keyValues(line);
    assertEquals("GET", fields.get("method"));
    assertEquals("/event/:tenantLocator/events/list", fields.get("route"));
    assertEquals("/event/" + DEMO_TENANT + "/events/list", fields.get("path"));
    assertEquals(200, fields.get("status"));
    assertTrue(((Number) fields.get("durationMs")).doubleValue() >= 0, fields.toString());
    assertEquals(Map.of("requestId", id, "tenant", "demo", "user", "reader", "route", "/event/:tenantLocator/events/list"),
        line.getMDCPropertyMap());
    // Exactly one: the line is written when the answer is, not once per handler.
    assertEquals(1, logs.matching(e -> isAccess(e, id)).size());
  }

  @Test
  void refused_and_unmatched_requests_are_logged_too() {
    String refused = "log-" + UUID.randomUUID();
    assertEquals(401, http.get("/event/" + DEMO_TENANT + "/events/list").header("X-Request-Id", refused).send().status());
    Map<String, Object> fields = keyValues(accessLine(refused));
    assertEquals(401, fields.get("status"));
    assertEquals("/event/:tenantLocator/events/list", fields.get("route"));
    assertFalse(accessLine(refused).getMDCPropertyMap().containsKey("user"), "no user before authentication");

    String unmatched = "log-" + UUID.randomUUID();
    assertEquals(404, http.get("/no/such/" + UUID.randomUUID()).header("X-Request-Id", unmatched).send().status());
    // The raw path of an unmatched request stays in "path"; "route" is one value for all of them (no label explosion).
    assertEquals("unmatched", keyValues(accessLine(unmatched)).get("route"));
  }

  @Test
  void a_plugins_log_lines_carry_the_request_id_tenant_and_plugin() {
    String id = "log-" + UUID.randomUUID();
    // premium 0: the policy-lifecycle plugin logs its rejection, on its own thread.
    assertEquals(422, http.post(POLICIES).as("admin", "admin-secret").header("X-Request-Id", id)
        .body("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2027-01-01T00:00:00Z\",\"premium\":0}")
        .send().status());

    ILoggingEvent pluginLine = Poll.until(() -> logs.matching(e -> e.getLoggerName().endsWith("IssuePolicy")
            && id.equals(e.getMDCPropertyMap().get("requestId"))).stream().findFirst().orElse(null),
        "the plugin's rejection line for request " + id);
    assertTrue(pluginLine.getThreadName().startsWith("plugin-policy-lifecycle"), pluginLine.getThreadName());
    assertEquals("demo", pluginLine.getMDCPropertyMap().get("tenant"));
    assertEquals("admin", pluginLine.getMDCPropertyMap().get("user"));
    assertEquals("policy-lifecycle", pluginLine.getMDCPropertyMap().get("plugin"));
    assertEquals(422, keyValues(accessLine(id)).get("status"));
  }

  @Test
  void concurrent_requests_on_one_event_loop_never_label_each_others_lines() {
    List<String> ids = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "log-" + UUID.randomUUID()).toList();
    ids.parallelStream().forEach(id -> http.get("/event/" + DEMO_TENANT + "/events/list?pageSize=1")
        .as("reader", "reader-secret").header("X-Request-Id", id).send());
    for (String id : ids) {
      ILoggingEvent line = accessLine(id);
      assertEquals(id, line.getMDCPropertyMap().get("requestId"));
    }
  }

  @Test
  void the_json_format_writes_one_object_per_line_with_the_mdc_and_fields() {
    String id = "log-" + UUID.randomUUID();
    http.get("/health").header("X-Request-Id", id).send();
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.setWithContext(false);
    encoder.start();
    String encoded = new String(encoder.encode(accessLine(id)), StandardCharsets.UTF_8);
    assertEquals(1, encoded.strip().lines().count(), encoded);
    JsonObject json = new JsonObject(encoded);
    assertEquals("INFO", json.getString("level"));
    assertEquals(AccessLogger.NAME, json.getString("loggerName"));
    assertEquals(id, json.getJsonObject("mdc").getString("requestId"));
  }

  private ILoggingEvent accessLine(String requestId) {
    return Poll.until(() -> logs.matching(e -> isAccess(e, requestId)).stream().findFirst().orElse(null),
        "the access line of request " + requestId);
  }

  private static boolean isAccess(ILoggingEvent e, String requestId) {
    return e.getLoggerName().equals(AccessLogger.NAME) && requestId.equals(e.getMDCPropertyMap().get("requestId"));
  }

  private static Map<String, Object> keyValues(ILoggingEvent e) {
    return e.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
  }
}
