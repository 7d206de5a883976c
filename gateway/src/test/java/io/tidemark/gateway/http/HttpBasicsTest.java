package io.tidemark.gateway.http;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.ApiRouter;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.PasswordCheck;
import io.tidemark.gateway.store.Database;
import io.tidemark.gateway.stream.StreamRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpBasicsTest {

  private static final String LIST = "/event/" + DEMO_TENANT + "/events/list";

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.testConfig(), HttpBasicsTest.class);
    http = gateway.http();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void a_sane_client_request_id_is_echoed() {
    Response r = http.get("/health").header("X-Request-Id", "client-42.a:b_c~d").send();
    assertEquals("client-42.a:b_c~d", r.header("X-Request-Id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "semi;colon", "quote\"d", "per%20cent", "a-129-character-id-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void an_insane_request_id_is_replaced(String insane) {
    Response r = http.get("/health").header("X-Request-Id", insane).send();
    String id = r.header("X-Request-Id");
    // A fresh time-ordered (version 7) UUID, not the offered id (nor a cleaned-up copy of it,
    // which would not be a UUID).
    assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
    assertNotEquals(id, http.get("/health").header("X-Request-Id", insane).send().header("X-Request-Id"),
        "each request gets its own");
  }

  @Test
  void every_response_carries_a_request_id_errors_included() {
    for (Response r : new Response[] {
        http.get("/health").send(), http.get(LIST).send(), http.get("/nowhere").send(),
        http.get(LIST + "?pageSize=0").as("reader", "reader-secret").send()}) {
      assertTrue(r.header("X-Request-Id") != null && !r.header("X-Request-Id").isBlank(), r::toString);
    }
    assertNotEquals(http.get("/health").send().header("X-Request-Id"), http.get("/health").send().header("X-Request-Id"));
  }

  @Test
  void an_unknown_route_is_a_json_404() {
    Response r = http.get("/nowhere").send();
    assertEquals(404, r.status());
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals(new JsonObject().put("message", "No such resource: GET /nowhere").put("code", "NOT_FOUND"), r.json());
  }

  @Test
  void an_unknown_v2_route_answers_in_the_v2_envelope() {
    Response r = http.get("/v2/nowhere").as("admin", "admin-secret").send();
    assertEquals(404, r.status());
    assertEquals(new JsonObject().putNull("data").put("warnings", new JsonArray())
        .put("errors", new JsonArray().add(new JsonObject().put("code", 404).put("message", "No such resource: GET /v2/nowhere"))),
        r.json());
  }

  @Test
  void a_wrong_method_is_a_json_405() {
    Response r = http.method("DELETE", "/health").send();
    assertEquals(405, r.status(), r::toString);
    assertEquals("METHOD_NOT_ALLOWED", r.json().getString("code"));
    Response list = http.method("PUT", LIST).as("reader", "reader-secret").send();
    assertEquals(405, list.status(), list::toString);
  }

  @Test
  void a_body_over_the_limit_is_413() {
    // A route that takes a body: bodies are read only once the route is found and the caller has passed.
    Response r = http.post("/v2/events").as("admin", "admin-secret").body("{\"x\":\"" + "a".repeat(5000) + "\"}").send();
    assertEquals(413, r.status(), r::toString);
    assertEquals("Request body is larger than the limit of 4096 bytes",
        r.json().getJsonArray("errors").getJsonObject(0).getString("message"));
  }

  @Test
  void a_body_over_the_limit_closes_its_connection_at_once() throws Exception {
    // A client sends all of a 1 MB body on a keep-alive connection. The gateway stops reading it
    // at the limit, so it must not keep the connection (and the unread rest) until the idle
    // timeout: it answers, reads and drops what follows for a moment, and closes.
    long started = System.nanoTime();
    String answer = sendWholeBody("POST /v2/events", "admin:admin-secret", 1024 * 1024);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
    assertTrue(answer.contains("Request body is larger than the limit of 4096 bytes"), answer);
    assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
    assertTrue(tookMillis < 9_000, "closed after " + tookMillis + " ms");
  }

  /** The whole answer, read to the end of the stream: fails if the gateway keeps the connection open 10 s. */
  private String sendWholeBody(String requestLine, String credentials, int bytes) throws Exception {
    byte[] body = new byte[bytes];
    java.util.Arrays.fill(body, (byte) 'a');
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.gateway().port())) {
      socket.setSoTimeout(10_000);
      String head = requestLine + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes())
          + "\r\nContent-Length: " + body.length + "\r\n\r\n";
      java.io.OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      try {
        out.write(body);
        out.flush();
      } catch (java.io.IOException closedWhileSending) {
        // Closed before it read everything: what matters is that the answer arrived.
      }
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(answer); // to the end of the stream: the gateway closed it
      } catch (java.net.SocketTimeoutException stillOpen) {
        throw new AssertionError("the connection stayed open 10 s after the answer: " + answer, stillOpen);
      } catch (java.io.IOException reset) {
        // A reset after the answer still counts as closed.
      }
      return answer.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void health_is_up_without_credentials_when_the_database_answers() {
    Response r = http.get("/health").send();
    assertEquals(200, r.status());
    assertEquals(new JsonObject().put("status", "UP").put("checks", new JsonObject().put("database", "UP")), r.json());
  }

  @Test
  void when_the_database_is_unreachable_health_is_503_and_the_store_answers_503() {
    Vertx vertx = Vertx.vertx();
    GatewayConfig config = gateway.config();
    // A real pool pointed at a port nothing listens on: the store is down, not mocked.
    Pool down = Database.pool(vertx, config.database().withUrl("postgresql://tidemark:x@127.0.0.1:1/tidemark"));
    try {
      PasswordCheck passwords = PasswordCheck.load(vertx, config.security(), Access.callers(config));
      HttpServer server = await(vertx.createHttpServer()
          .requestHandler(ApiRouter.create(vertx, 4096, passwords, new HealthRoutes(down),
              java.util.List.of(new StreamRoutes(down, new byte[32]))))
          .listen(0));
      Http broken = new Http("http://127.0.0.1:" + server.actualPort());

      Response health = broken.get("/health").send();
      assertEquals(503, health.status());
      assertEquals("DOWN", health.json().getString("status"));

      Response list = broken.get(LIST).as("reader", "reader-secret").send();
      assertEquals(503, list.status(), list::toString);
      assertEquals(new JsonObject().put("message", "The event store is unavailable; retry later").put("code", "STORE_UNAVAILABLE"),
          list.json());
    } finally {
      await(down.close());
      await(vertx.close());
    }
  }
}
