package io.tidemark.gateway.security;

import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bucket4j.TimeMeter;
import io.tidemark.gateway.ApiRouter;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.Permission;
import io.tidemark.gateway.config.SecurityConfig;
import io.tidemark.gateway.http.HealthRoutes;
import io.tidemark.gateway.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failed logins are throttled per user and per client address, on a router with the gateway's
 * own pipeline and a clock the test moves (no sleeps). The webhook side is in WebhookIngestionTest.
 */
class LoginThrottleTest {

  private static final String WHOAMI = "/event/" + TestGateway.DEMO_TENANT + "/whoami";

  private final Vertx vertx = Vertx.vertx();
  private final GatewayConfig config = ConfigLoader.load(TestGateway.testConfig(), Map.of());
  private final AtomicLong nanos = new AtomicLong(TimeUnit.HOURS.toNanos(1));
  private Pool unused;
  private PasswordCheck passwords;
  private Http http;
  private int port;
  private final AtomicInteger bodiesRead = new AtomicInteger();

  @AfterEach
  void close() {
    await(unused.close());
    await(vertx.close());
  }

  @Test
  void the_eleventh_failed_login_of_a_user_within_a_minute_is_429_and_even_the_right_password_waits() {
    start(config.security());
    // Remembered as a success: the throttle must stop it all the same.
    assertEquals(200, http.get(WHOAMI).as("reader", "reader-secret").send().status());
    for (int i = 0; i < 10; i++) {
      assertEquals(401, http.get(WHOAMI).as("reader", "wrong-" + i).send().status());
    }
    long checked = passwords.hashChecks();

    Response eleventh = http.get(WHOAMI).as("reader", "wrong-10").send();
    assertEquals(429, eleventh.status(), eleventh::toString);
    // 10 a minute, refilled continuously: the next token is 6 s away.
    assertEquals("6", eleventh.header("Retry-After"));
    assertEquals(new JsonObject()
        .put("message", "Too many failed logins for user 'reader': at most 10 a minute; retry in 6 s")
        .put("code", "TOO_MANY_FAILED_LOGINS"), eleventh.json());
    Response right = http.get(WHOAMI).as("reader", "reader-secret").send();
    assertEquals(429, right.status(), right::toString);
    assertEquals(checked, passwords.hashChecks(), "a throttled login checks no password");

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(4));
    assertEquals("2", http.get(WHOAMI).as("reader", "reader-secret").send().header("Retry-After"));
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
    assertEquals(200, http.get(WHOAMI).as("reader", "reader-secret").send().status());
    // The success gave its token back; one more failure spends it, and the next attempt waits again.
    assertEquals(401, http.get(WHOAMI).as("reader", "wrong-11").send().status());
    assertEquals(429, http.get(WHOAMI).as("reader", "wrong-12").send().status());
  }

  @Test
  void other_users_are_not_affected() {
    start(config.security());
    for (int i = 0; i < 11; i++) {
      http.get(WHOAMI).as("reader", "wrong-" + i).send();
    }
    assertEquals(429, http.get(WHOAMI).as("reader", "reader-secret").send().status());
    Response admin = http.get(WHOAMI).as("admin", "admin-secret").send();
    assertEquals(200, admin.status(), admin::toString);
    assertEquals("admin", admin.body());
    assertEquals(401, http.get(WHOAMI).as("readonly", "wrong").send().status());
  }

  @Test
  void an_unknown_user_name_is_throttled_like_a_known_one() {
    start(config.security());
    for (int i = 0; i < 10; i++) {
      assertEquals(401, http.get(WHOAMI).as("no-such-user", "guess-" + i).send().status());
    }
    Response r = http.get(WHOAMI).as("no-such-user", "guess-10").send();
    assertEquals(429, r.status(), r::toString);
    assertEquals("6", r.header("Retry-After"));
  }

  @Test
  void the_thirty_first_failed_login_from_one_address_is_429_whatever_the_user() {
    start(config.security().withFailedLoginLimits(1000, 30));
    String[] users = {"reader", "readonly", "nobody"};
    for (int i = 0; i < 30; i++) {
      assertEquals(401, http.get(WHOAMI).as(users[i % 3], "wrong-" + i).send().status());
    }
    Response r = http.get(WHOAMI).as("admin", "admin-secret").send();
    assertEquals(429, r.status(), r::toString);
    assertEquals("2", r.header("Retry-After"));
    assertEquals(new JsonObject()
        .put("message", "Too many failed logins from address 127.0.0.1: at most 30 a minute; retry in 2 s")
        .put("code", "TOO_MANY_FAILED_LOGINS"), r.json());
  }

  @Test
  void successful_logins_spend_no_tokens() {
    // No cache: each success runs a real check, well past both limits.
    start(new SecurityConfig(config.security().htpasswdFile(), 0, 0));
    for (int i = 0; i < 40; i++) {
      Response r = http.get(WHOAMI).as("reader", "reader-secret").send();
      assertEquals(200, r.status(), r::toString);
    }
    assertEquals(40, passwords.hashChecks());
    for (int i = 0; i < 10; i++) {
      assertEquals(401, http.get(WHOAMI).as("reader", "wrong-" + i).send().status());
    }
    assertEquals(429, http.get(WHOAMI).as("reader", "wrong-10").send().status());
  }

  @Test
  void a_v2_endpoint_answers_429_in_its_envelope() {
    start(config.security().withFailedLoginLimits(1, 30));
    assertEquals(401, http.get("/v2/whoami").as("reader", "wrong").send().status());
    Response r = http.get("/v2/whoami").as("reader", "wrong").send();
    assertEquals(429, r.status(), r::toString);
    assertEquals("60", r.header("Retry-After"));
    assertEquals(new JsonObject().putNull("data").put("warnings", new JsonArray()).put("errors", new JsonArray()
        .add(new JsonObject().put("code", 429)
            .put("message", "Too many failed logins for user 'reader': at most 1 a minute; retry in 60 s"))), r.json());
  }

  @Test
  void a_limit_of_zero_turns_that_limit_off() {
    start(config.security().withFailedLoginLimits(0, 0));
    for (int i = 0; i < 12; i++) {
      assertEquals(401, http.get(WHOAMI).as("reader", "wrong-" + i).send().status());
    }
    assertEquals(200, http.get(WHOAMI).as("reader", "reader-secret").send().status());
  }

  @Test
  void requests_without_credentials_count_against_the_address() {
    start(config.security().withFailedLoginLimits(1000, 3));
    assertEquals(401, http.get(WHOAMI).send().status());
    assertEquals(401, http.get("/v2/whoami").header("Authorization", "Basic %%%").send().status());
    assertEquals(401, http.get("/v2/whoami").header("Authorization", "Bearer x").send().status());
    Response r = http.get(WHOAMI).send();
    assertEquals(429, r.status(), r::toString);
    assertEquals("20", r.header("Retry-After"));
    assertEquals(new JsonObject()
        .put("message", "Too many failed logins from address 127.0.0.1: at most 3 a minute; retry in 20 s")
        .put("code", "TOO_MANY_FAILED_LOGINS"), r.json());
  }

  @Test
  void an_unauthenticated_request_is_answered_before_its_body_is_sent() throws IOException {
    start(config.security());
    // Expect: 100-continue: the client sends its body only once told to. Before the fix the body
    // handler ran first, said 100 Continue and waited for bytes that never came.
    String answer = exchange("POST /v2/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n"
        + "Expect: 100-continue\r\n\r\n");
    assertEquals("HTTP/1.1 401", answer.substring(0, 12), answer);
    // Wrong credentials are refused the same way, after the (asynchronous) password check.
    String wrong = exchange("POST /v2/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\nAuthorization: Basic "
        + java.util.Base64.getEncoder().encodeToString("reader:wrong".getBytes(StandardCharsets.UTF_8))
        + "\r\nExpect: 100-continue\r\n\r\n");
    assertEquals("HTTP/1.1 401", wrong.substring(0, 12), wrong);
    assertEquals(0, bodiesRead.get());
  }

  @Test
  void an_authenticated_request_is_told_to_continue_and_its_body_is_read() throws IOException {
    start(config.security());
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v2/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4000\r\nAuthorization: Basic "
          + java.util.Base64.getEncoder().encodeToString("reader:reader-secret".getBytes(StandardCharsets.UTF_8))
          + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      String cont = readHead(in);
      assertEquals("HTTP/1.1 100 Continue", cont.lines().findFirst().orElse(""), cont);
      out.write(new byte[4000]);
      out.flush();
      String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertEquals("HTTP/1.1 200", rest.substring(0, 12), rest);
      assertEquals(true, rest.endsWith("reader sent 4000 bytes"), rest);
    }
  }

  @Test
  void a_refused_request_whose_body_was_sent_does_not_stall_the_connection() throws IOException {
    start(config.security());
    String basic = java.util.Base64.getEncoder().encodeToString("reader:reader-secret".getBytes(StandardCharsets.UTF_8));
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v2/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
          + "GET /v2/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic " + basic + "\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      // The refused request's body, never read by a handler, must not be taken for the next request.
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals("HTTP/1.1 401", all.substring(0, 12), all);
      int second = all.indexOf("HTTP/1.1 ", 12);
      assertEquals("HTTP/1.1 200", all.substring(second, second + 12), all);
      assertEquals(true, all.endsWith("\r\n\r\nreader"), all);
    }
  }

  /** Sends {@code head} only (no body) and returns the first response head the server sends. */
  private String exchange(String head) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return readHead(socket.getInputStream());
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** The gateway's pipeline with one guarded route that names the caller, on a free port. */
  private void start(SecurityConfig security) {
    TimeMeter clock = new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return nanos.get();
      }

      @Override
      public boolean isWallClockBased() {
        return false;
      }
    };
    passwords = PasswordCheck.load(vertx, security, Access.callers(config), clock);
    Mountable whoami = (router, access) -> {
      access.guard(router.get("/event/:tenantLocator/whoami"), Permission.EVENTS_READ)
          .handler(ctx -> ctx.end(Access.caller(ctx).name()));
      access.guard(router.get("/v2/whoami")).handler(ctx -> ctx.end(Access.caller(ctx).name()));
      access.guard(router.post("/v2/echo")).handler(ctx -> {
        bodiesRead.incrementAndGet();
        ctx.end(Access.caller(ctx).name() + " sent " + ctx.body().length() + " bytes");
      });
    };
    // The health route needs a pool; nothing here calls it, so it never connects.
    unused = Database.pool(vertx, config.database().withUrl("postgresql://tidemark:x@127.0.0.1:1/tidemark"));
    HttpServer server = await(vertx.createHttpServer()
        .requestHandler(ApiRouter.create(vertx, 4096, passwords, new HealthRoutes(unused), List.of(whoami)))
        .listen(0, "127.0.0.1"));
    port = server.actualPort();
    http = new Http("http://127.0.0.1:" + port);
  }
}
