package io.tidemark.gateway.http;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.ApiRouter;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.tidemark.gateway.security.PasswordCheck;
import io.tidemark.gateway.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A connection-level failure that reaches the failure handler untranslated (a route that did
 * not recover it, a library that wrapped it) still answers 503 with {@code Retry-After}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureHandlerTest {

  private static final String UNAVAILABLE = "The event store is unavailable; retry later";

  private Vertx vertx;
  private Pool pool;
  private Http http;

  /** Routes that fail the way untranslated store failures would. */
  private static final Mountable FAILING = (router, access) -> {
    router.get("/fail/reset").handler(ctx ->
        ctx.fail(new IllegalStateException("wrapped", new SocketException("Connection reset"))));
    router.get("/v2/fail/jdbc").handler(ctx -> ctx.fail(new RuntimeException("cannot schedule",
        new SQLTransientConnectionException("tidemark-quartz - Connection is not available, request timed out after 5000ms."))));
    router.get("/fail/thrown").handler(ctx -> {
      throw new UncheckedIOException(new SocketException("Broken pipe"));
    });
    router.get("/fail/bug").handler(ctx -> ctx.fail(new IllegalStateException("a bug, not an outage")));
    router.get("/fail/duplicate").handler(ctx -> ctx.fail(new IllegalStateException("wrapped",
        new java.sql.SQLException("duplicate key value violates unique constraint", "23505"))));
    router.get("/fail/wrapped-api").handler(ctx -> ctx.fail(new IllegalStateException("wrapped",
        ApiException.notFound("No such thing"))));
  };

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    GatewayConfig config = TestGateway.load(TestGateway.testConfig(), TestDatabase.newSchema(FailureHandlerTest.class));
    pool = Database.pool(vertx, config.database());
    PasswordCheck passwords = PasswordCheck.load(vertx, config.security(), Access.callers(config));
    HttpServer server = await(vertx.createHttpServer()
        .requestHandler(ApiRouter.create(vertx, 4096, passwords, new HealthRoutes(pool), List.of(FAILING)))
        .listen(0));
    http = new Http("http://127.0.0.1:" + server.actualPort());
  }

  @AfterAll
  void stop() {
    await(pool.close());
    await(vertx.close());
  }

  @Test
  void a_wrapped_connection_reset_is_503_with_retry_after() {
    Response r = http.get("/fail/reset").send();
    assertEquals(503, r.status(), r::toString);
    assertEquals("1", r.header("Retry-After"));
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals(new JsonObject().put("message", UNAVAILABLE).put("code", "STORE_UNAVAILABLE"), r.json());
  }

  @Test
  void a_jdbc_pool_timeout_is_503_in_the_v2_envelope() {
    Response r = http.get("/v2/fail/jdbc").send();
    assertEquals(503, r.status(), r::toString);
    assertEquals("1", r.header("Retry-After"));
    assertEquals(new JsonObject().putNull("data").put("warnings", new JsonArray())
        .put("errors", new JsonArray().add(new JsonObject().put("code", 503).put("message", UNAVAILABLE))), r.json());
  }

  @Test
  void a_connection_failure_thrown_by_a_handler_is_503() {
    Response r = http.get("/fail/thrown").send();
    assertEquals(503, r.status(), r::toString);
    assertEquals("1", r.header("Retry-After"));
  }

  @Test
  void a_unique_violation_is_409_without_retry_after() {
    Response r = http.get("/fail/duplicate").send();
    assertEquals(409, r.status(), r::toString);
    assertNull(r.header("Retry-After"));
    assertEquals(new JsonObject().put("message", "The resource already exists").put("code", "CONFLICT"), r.json());
  }

  @Test
  void an_api_exception_wrapped_by_a_library_keeps_its_answer() {
    Response r = http.get("/fail/wrapped-api").send();
    assertEquals(404, r.status(), r::toString);
    assertEquals(new JsonObject().put("message", "No such thing").put("code", "NOT_FOUND"), r.json());
  }

  @Test
  void anything_else_stays_a_500_without_retry_after() {
    Response r = http.get("/fail/bug").send();
    assertEquals(500, r.status(), r::toString);
    assertNull(r.header("Retry-After"));
    assertTrue(r.json().getString("message").startsWith("Internal error; quote request id "), r::toString);
  }
}
