package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 under concurrent load: every call the gateway acknowledged has its events, its log
 * entry and its schedule; no call, acknowledged or not, is half-written.
 */
class CrashTest {

  private static final String WEBHOOK = "/v2/webhooks/67b62dffb7f5337f8a8237970bd0a467/events";
  private static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("admin:admin-secret".getBytes(StandardCharsets.UTF_8));
  private static final int ACKNOWLEDGED_BEFORE_KILL = 300;

  @TempDir
  Path dir;

  private record Call(String requestId, boolean webhook) {}

  @Test
  void kill_9_under_load_loses_no_acknowledged_call_and_half_writes_none() throws Exception {
    String schema = TestDatabase.newSchema(CrashTest.class);
    Process process = start(GatewayProcesses.shippedConfigIn(dir, schema, yaml -> yaml));
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      String base = "http://127.0.0.1:" + awaitPort(process);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> defined = http.send(post(base, "/v2/events", UUID.randomUUID().toString(),
          "{\"eventName\":\"Points_Awarded\",\"actions\":[\"customer-identification\"],"
              + "\"fields\":[{\"name\":\"customer\",\"type\":\"customer\"}]}"), HttpResponse.BodyHandlers.ofString());
      assertEquals(201, defined.statusCode(), defined.body());

      ConcurrentLinkedQueue<Call> acknowledged = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Call> sent = new ConcurrentLinkedQueue<>();
      AtomicBoolean killed = new AtomicBoolean();
      for (int c = 0; c < 16; c++) {
        boolean webhook = c % 2 == 0;
        clients.submit(() -> {
          while (!killed.get()) {
            Call call = new Call(UUID.randomUUID().toString(), webhook);
            sent.add(call);
            try {
              HttpResponse<String> r = http.send(webhook
                  ? post(base, WEBHOOK, call.requestId(), "{\"event_name\":\"Points_Awarded\",\"customer\":\"919970388310\"}")
                  : post(base, "/policy/" + TestGateway.DEMO_TENANT + "/policies", call.requestId(),
                      "{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2099-01-01T00:00:00Z\",\"premium\":12.5}"),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == (webhook ? 200 : 201)) {
                acknowledged.add(call);
              }
            } catch (IOException | InterruptedException e) {
              return; // the gateway is gone
            }
          }
          return;
        });
      }
      Poll.until(() -> acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL, "acknowledged calls before the kill");
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no drain
      killed.set(true);
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      clients.shutdown();
      assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));

      try (Connection db = TestDatabase.connect(schema)) {
        for (Call call : acknowledged) {
          if (call.webhook()) {
            assertEquals(1, count(db, "SELECT count(*) FROM event WHERE request_id = ? AND type = 'Points_Awarded'", call.requestId()),
                "acknowledged webhook " + call.requestId() + " has its event");
          } else {
            assertEquals(2, count(db, "SELECT count(*) FROM event WHERE request_id = ?", call.requestId()),
                "acknowledged policy call " + call.requestId() + " has both its events");
            assertEquals(1, count(db, "SELECT count(*) FROM schedule WHERE transaction_locator = ?", call.requestId()),
                "acknowledged policy call " + call.requestId() + " has its schedule");
          }
        }
        // Whole or nothing, acknowledged or not: events, log entries and schedules agree call by call.
        assertEquals(count(db, "SELECT count(*) FROM event WHERE type = 'Points_Awarded'"),
            count(db, "SELECT count(*) FROM event_log WHERE status = 'EVENT_SUCCESS'"), "one log entry per stored webhook event");
        assertEquals(0, count(db, """
            SELECT count(*) FROM (SELECT request_id FROM event WHERE type LIKE 'policy.%' GROUP BY request_id) calls
             WHERE (SELECT count(*) FROM event e WHERE e.request_id = calls.request_id) <> 2
                OR NOT EXISTS (SELECT 1 FROM schedule s WHERE s.transaction_locator = calls.request_id)"""),
            "every stored policy call has both events and its schedule");
        assertEquals(0, count(db, """
            SELECT count(*) FROM schedule s
             WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.request_id = s.transaction_locator AND e.type = 'policy.issued')"""),
            "no schedule without the call that made it");
        long webhooksAcknowledged = acknowledged.stream().filter(Call::webhook).count();
        assertTrue(count(db, "SELECT count(*) FROM event_log") >= webhooksAcknowledged);
      }
    } finally {
      clients.shutdownNow();
      process.destroyForcibly();
      TestDatabase.dropSchema(schema);
    }
  }

  private static HttpRequest post(String base, String path, String requestId, String body) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", ADMIN)
        .header("X-Request-Id", requestId)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private Process start(Path config) throws IOException {
    return GatewayProcesses.start(config, dir.resolve("out.log"));
  }

  /** Polls the log, with a deadline as generous as a loaded machine's start-up needs, for the bound port. */
  private int awaitPort(Process process) throws InterruptedException {
    return GatewayProcesses.awaitPort(process, dir.resolve("out.log"), java.time.Duration.ofSeconds(90));
  }

  private static long count(Connection db, String sql, Object... params) throws Exception {
    try (PreparedStatement s = db.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
