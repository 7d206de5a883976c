package io.tidemark.gateway.stream;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.LiveConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /event/{tenant}/events/live}: the stream as server-sent events, on one instance and across two. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveStreamTest {

  private static final String LIVE = "/event/" + DEMO_TENANT + "/events/live";
  private static final String LIST = "/event/" + DEMO_TENANT + "/events/list";

  private TestGateway gateway;
  private TestGateway second;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), LiveStreamTest.class,
        c -> c.withLive(new LiveConfig(3, 1, 5, 60)));
    second = gateway.anotherInstance();
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    second.close();
    gateway.close();
  }

  @Test
  void new_events_arrive_in_order_with_paging_tokens_for_ids() throws Exception {
    try (SseClient live = open(gateway, LIVE, null)) {
      assertEquals(200, live.status);
      assertTrue(live.contentType.startsWith("text/event-stream"), live.contentType);
      String requestId = issuePolicy(120);
      List<SseClient.Frame> frames = live.next(2, 30);
      assertEquals(List.of("policy.underwriting_checked", "policy.issued"),
          frames.stream().map(f -> f.data().getString("type")).toList());
      assertEquals(List.of(requestId, requestId), frames.stream().map(f -> f.data().getString("requestId")).toList());
      // The id is a paging token: the list after it starts with the next event.
      String next = issuePolicy(130);
      JsonArray after = http.get(LIST + "?pagingToken=" + encode(frames.get(1).id())).as("reader", "reader-secret")
          .send().json().getJsonArray("events");
      assertEquals(next, after.getJsonObject(0).getString("requestId"));
      assertEquals(after.getJsonObject(0), live.next(1, 30).get(0).data());
    }
  }

  @Test
  void a_reconnect_with_last_event_id_resumes_after_it_and_a_type_filter_holds() throws Exception {
    String lastId;
    try (SseClient live = open(gateway, LIVE + "?type=policy.issued", null)) {
      issuePolicy(140);
      SseClient.Frame issued = live.next(1, 30).get(0);
      assertEquals("policy.issued", issued.data().getString("type"));
      lastId = issued.id();
    }
    String missed = issuePolicy(150); // while disconnected
    try (SseClient resumed = open(gateway, LIVE + "?type=policy.issued", lastId)) {
      SseClient.Frame first = resumed.next(1, 30).get(0);
      assertEquals(missed, first.data().getString("requestId"));
      assertEquals("policy.issued", first.data().getString("type"));
      assertNull(resumed.poll(300), "the underwriting event is filtered out");
    }
  }

  @Test
  void an_idle_stream_gets_heartbeats() throws Exception {
    try (SseClient live = open(gateway, LIVE, null)) {
      assertNotNull(live.nextComment(10), "a heartbeat comment within 10 s (heartbeatSeconds: 1)");
    }
  }

  @Test
  void a_user_may_hold_only_so_many_connections_on_an_instance() throws Exception {
    List<SseClient> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        held.add(open(gateway, LIVE + "?type=limit-" + i, null));
        assertEquals(200, held.get(i).status);
      }
      SseClient refused = open(gateway, LIVE, null);
      assertEquals(429, refused.status, refused.body);
      assertEquals("TOO_MANY_LIVE_CONNECTIONS", new JsonObject(refused.body).getString("code"));
    } finally {
      held.forEach(SseClient::close);
    }
    // Closed connections free their slots.
    io.tidemark.gateway.Poll.until(() -> {
      try (SseClient again = open(gateway, LIVE, null)) {
        return again.status == 200;
      } catch (Exception e) {
        return false;
      }
    }, "a slot to be free again");
  }

  @Test
  void a_bad_token_or_missing_permission_is_refused_before_streaming() throws Exception {
    try (SseClient bad = open(gateway, LIVE + "?pagingToken=nonsense", null)) {
      assertEquals(400, bad.status, bad.body);
    }
    try (SseClient other = SseClient.open(gateway.gateway().port(), LIVE, "other", "other-secret", null)) {
      assertEquals(403, other.status, other.body);
    }
  }

  @Test
  void a_reader_on_another_instance_sees_exactly_the_list_under_concurrent_writers() throws Exception {
    // From the start of the stream, on the second instance, while four writers use the first.
    String start = http.get(LIST + "?pageSize=1000").as("reader", "reader-secret").send().json().getString("pagingToken");
    try (SseClient live = open(second, LIVE + "?pagingToken=" + encode(start), null)) {
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        done.add(writers.submit(() -> {
          for (int i = 0; i < 25; i++) {
            issuePolicy(200 + i);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
      writers.shutdown();
      List<SseClient.Frame> seen = live.next(200, 60);
      JsonArray listed = http.get(LIST + "?pageSize=1000&pagingToken=" + encode(start)).as("reader", "reader-secret")
          .send().json().getJsonArray("events");
      assertEquals(200, listed.size());
      List<String> listedLocators = new ArrayList<>();
      listed.forEach(e -> listedLocators.add(((JsonObject) e).getString("locator")));
      assertEquals(listedLocators, seen.stream().map(f -> f.data().getString("locator")).toList(),
          "the live stream is the list: same events, same order, none twice");
      assertNull(live.poll(300), "nothing beyond them");
    }
  }

  private static SseClient open(TestGateway instance, String path, String lastEventId) throws Exception {
    return SseClient.open(instance.gateway().port(), path, "reader", "reader-secret", lastEventId);
  }

  private String issuePolicy(double premium) {
    Response r = http.post("/policy/" + DEMO_TENANT + "/policies").as("admin", "admin-secret")
        .body("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":"
            + premium + "}").send();
    assertEquals(201, r.status(), r::toString);
    return r.header("X-Request-Id");
  }

  private static String encode(String token) {
    return URLEncoder.encode(token, StandardCharsets.UTF_8);
  }
}
