package io.tidemark.gateway.behavioral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.http.FailureHandler;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Interop with the Standard Webhooks reference implementation, the npm package
 * {@code standardwebhooks} pinned in {@code src/test/interop/package-lock.json}: what it signs
 * with the shipped secrets, the gateway accepts (and refuses once tampered with); what the
 * gateway signs, it verifies.
 *
 * <p>The package is installed into {@code target/interop} with {@code npm ci} from the committed
 * lock file. Without Node.js and npm this test fails, naming what to install: interop that is
 * silently skipped is interop that is never checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandardWebhooksInteropTest {

  private static final String HOOK = WebhookIngestionTest.HOOK;
  private static final String MAPPED_HOOK = WebhookIngestionTest.MAPPED_HOOK;
  private static final Path SOURCES = Path.of(System.getProperty("tidemark.repo.root", ".."), "gateway", "src", "test", "interop");
  private static final Path INSTALL = Path.of(System.getProperty("tidemark.repo.root", ".."), "gateway", "target", "interop");
  private static final long NODE_SECONDS = 30;
  private static final long NPM_SECONDS = 300;

  private TestGateway gateway;
  private Http http;
  private String secret;
  private String mappedSecret;

  @BeforeAll
  void start() throws Exception {
    installReferenceLibrary();
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), StandardWebhooksInteropTest.class);
    http = gateway.http();
    // The secrets exactly as shipped in config/gateway.yaml.
    secret = gateway.config().webhook(HOOK).orElseThrow().secret();
    mappedSecret = gateway.config().webhook(MAPPED_HOOK).orElseThrow().secret();
    define("""
        {"eventName": "Interop_Event", "fields": [{"name": "note", "type": "string"}, {"name": "n", "type": "number"}]}""");
    define("""
        {"eventName": "Points_Awarded", "fields": [{"name": "customer", "type": "customer"},
                                                   {"name": "points", "type": "number", "attributes": {"isRequired": true}}]}""");
  }

  @AfterAll
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  // ---- the reference library signs, the gateway verifies

  @Test
  void a_message_signed_by_the_reference_library_with_the_demo_secret_is_accepted() throws Exception {
    // Non-ASCII on purpose: the signature covers the raw UTF-8 bytes, not a re-encoding of them.
    String body = "{\"event_name\":\"Interop_Event\",\"note\":\"café ✓ \\\"quoted\\\"\",\"n\":1.50}";
    JsonObject headers = nodeSign(secret, "msg_" + UUID.randomUUID(), Instant.now().getEpochSecond(), body);

    Response r = post(HOOK, headers, body);

    assertEquals(200, r.status(), r::toString);
    assertEquals("EVENT_SUCCESS", r.json().getJsonObject("data").getString("status"));
    assertEquals(body, r.json().getJsonObject("data").getString("inputRequest"));
  }

  @Test
  void a_message_signed_by_the_reference_library_and_then_tampered_with_is_unauthorized() throws Exception {
    String body = "{\"event_name\":\"Interop_Event\",\"note\":\"pay 10\"}";
    JsonObject headers = nodeSign(secret, "msg_" + UUID.randomUUID(), Instant.now().getEpochSecond(), body);

    assertUnauthorized(post(HOOK, headers, body.replace("10", "1000")));
    JsonObject otherId = headers.copy().put("webhook-id", "msg_" + UUID.randomUUID());
    assertUnauthorized(post(HOOK, otherId, body));
    long signedAt = Long.parseLong(headers.getString("webhook-timestamp"));
    JsonObject otherTime = headers.copy().put("webhook-timestamp", Long.toString(signedAt - 1));
    assertUnauthorized(post(HOOK, otherTime, body));
  }

  @Test
  void the_mapped_webhooks_shipped_secret_works_with_the_reference_library_too() throws Exception {
    String body = "{\"eventName\":\"pointsAwarded\",\"data\":{\"customer\":{\"mobile\":\"919970388310\"},\"points\":20}}";
    Response r = post(MAPPED_HOOK, nodeSign(mappedSecret, "msg_" + UUID.randomUUID(), Instant.now().getEpochSecond(), body), body);
    assertEquals(200, r.status(), r::toString);
    assertEquals("Points_Awarded", r.json().getJsonObject("data").getString("eventName"));

    // Each webhook has its own key: the demo webhook's secret does not sign for the mapped one.
    assertUnauthorized(post(MAPPED_HOOK, nodeSign(secret, "msg_" + UUID.randomUUID(), Instant.now().getEpochSecond(), body), body));
  }

  @Test
  void a_sender_rotating_its_key_sends_several_signatures_and_one_match_suffices() throws Exception {
    String body = "{\"event_name\":\"Interop_Event\",\"note\":\"rotating\"}";
    long now = Instant.now().getEpochSecond();
    // The sender signs with its new key (unknown to the gateway) and its old one (the shipped secret).
    JsonObject rotating = nodeSign(WebhookIngestionTest.WRONG_SECRET + " " + secret, "msg_" + UUID.randomUUID(), now, body);
    assertEquals(2, rotating.getString("webhook-signature").split(" ").length, rotating::encode);
    assertEquals(200, post(HOOK, rotating, body).status());

    JsonObject neither = nodeSign(WebhookIngestionTest.WRONG_SECRET + " " + mappedSecret, "msg_" + UUID.randomUUID(), now, body);
    assertUnauthorized(post(HOOK, neither, body));
  }

  @Test
  void a_message_the_reference_library_signed_six_minutes_ago_or_ahead_is_unauthorized() throws Exception {
    String body = "{\"event_name\":\"Interop_Event\",\"note\":\"late\"}";
    long now = Instant.now().getEpochSecond();
    assertUnauthorized(post(HOOK, nodeSign(secret, "msg_" + UUID.randomUUID(), now - 360, body), body));
    assertUnauthorized(post(HOOK, nodeSign(secret, "msg_" + UUID.randomUUID(), now + 360, body), body));
  }

  @Test
  void the_reference_library_refuses_the_old_demo_secret_as_the_gateway_does() throws Exception {
    Result r = node("sign.js", "{}", "whsec-demo", "msg_1", Long.toString(Instant.now().getEpochSecond()));
    assertTrue(r.exitCode() != 0, r::toString);
  }

  // ---- the gateway signs, the reference library verifies

  @Test
  void a_signature_made_by_the_gateway_is_verified_by_the_reference_library() throws Exception {
    String body = "{\"event_name\":\"Interop_Event\",\"note\":\"café ✓\"}";
    String id = "msg_" + UUID.randomUUID();
    long now = Instant.now().getEpochSecond();
    JsonObject headers = new JsonObject().put("webhook-id", id).put("webhook-timestamp", Long.toString(now))
        .put("webhook-signature", WebhookSignature.header(secret, id, now, body.getBytes(StandardCharsets.UTF_8)));

    assertEquals(new Result(0, "verified"), nodeVerify(secret, headers, body));
    // The check can fail: the library refuses the same signature over another body or under another key.
    assertEquals(1, nodeVerify(secret, headers, body.replace("café", "cafe")).exitCode());
    assertEquals(1, nodeVerify(mappedSecret, headers, body).exitCode());
  }

  @Test
  void a_subscription_delivery_is_verified_by_the_reference_library_also_during_a_secret_rotation() throws Exception {
    java.util.concurrent.LinkedBlockingQueue<JsonObject> received = new java.util.concurrent.LinkedBlockingQueue<>();
    io.vertx.core.http.HttpServer receiver = TestGateway.await(gateway.vertx().createHttpServer()
        .requestHandler(request -> request.body().onSuccess(b -> {
          received.add(new JsonObject().put("webhook-id", request.getHeader("webhook-id"))
              .put("webhook-timestamp", request.getHeader("webhook-timestamp"))
              .put("webhook-signature", request.getHeader("webhook-signature")).put("body", b.toString()));
          request.response().setStatusCode(204).end();
        })).listen(0, "127.0.0.1"));
    try {
      String subs = "/event/" + TestGateway.DEMO_TENANT + "/subscriptions";
      Response created = http.post(subs).as("admin", "admin-secret")
          .body("{\"url\":\"http://127.0.0.1:" + receiver.actualPort() + "/hook\",\"types\":[\"policy.issued\"]}").send();
      assertEquals(201, created.status(), created::toString);
      String oldSecret = created.json().getString("secret");
      issuePolicy();
      JsonObject first = received.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(new Result(0, "verified"), nodeVerify(oldSecret, first, first.getString("body")));

      Response rotated = http.post(subs + "/" + created.json().getString("id") + "/rotate-secret").as("admin", "admin-secret").send();
      String newSecret = rotated.json().getString("secret");
      issuePolicy();
      JsonObject second = received.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      // Both keys verify while the old one is still honoured: receivers can switch at their pace.
      assertEquals(new Result(0, "verified"), nodeVerify(newSecret, second, second.getString("body")));
      assertEquals(new Result(0, "verified"), nodeVerify(oldSecret, second, second.getString("body")));
      assertEquals(1, nodeVerify(secret, second, second.getString("body")).exitCode());
    } finally {
      TestGateway.await(receiver.close());
    }
  }

  private void issuePolicy() {
    Response r = http.post("/policy/" + TestGateway.DEMO_TENANT + "/policies").as("admin", "admin-secret")
        .body("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":10}").send();
    assertEquals(201, r.status(), r::toString);
  }

  // ---- helpers

  private Response post(String hook, JsonObject headers, String body) {
    return http.post("/v2/webhooks/" + hook + "/events").body(body)
        .header("webhook-id", headers.getString("webhook-id"))
        .header("webhook-timestamp", headers.getString("webhook-timestamp"))
        .header("webhook-signature", headers.getString("webhook-signature"))
        .send();
  }

  private static void assertUnauthorized(Response r) {
    assertEquals(401, r.status(), r::toString);
    assertEquals(FailureHandler.V2_UNAUTHORIZED, r.json().getJsonArray("errors").getJsonObject(0).getString("message"), r::toString);
  }

  private void define(String definition) {
    Response r = http.post("/v2/events").as("admin", "admin-secret").body(definition).send();
    assertEquals(201, r.status(), r::toString);
  }

  private static JsonObject nodeSign(String secrets, String id, long seconds, String body) throws Exception {
    Result r = node("sign.js", body, secrets, id, Long.toString(seconds));
    assertEquals(0, r.exitCode(), r::toString);
    return new JsonObject(r.output());
  }

  private static Result nodeVerify(String secret, JsonObject headers, String body) throws Exception {
    return node("verify.js", body, secret, headers.encode());
  }

  private record Result(int exitCode, String output) {}

  private static Result node(String script, String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    return run(command, stdin, NODE_SECONDS);
  }

  /**
   * Installs the pinned package into {@code target/interop}, unless the same lock file is
   * installed there already (so a rerun needs no network).
   */
  private static void installReferenceLibrary() throws Exception {
    Files.createDirectories(INSTALL);
    requireTool("node");
    for (String file : List.of("package.json", "sign.js", "verify.js")) {
      Files.copy(SOURCES.resolve(file), INSTALL.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    Path lock = INSTALL.resolve("package-lock.json");
    boolean installed = Files.exists(INSTALL.resolve("node_modules/standardwebhooks/package.json"))
        && Files.exists(lock) && Files.mismatch(lock, SOURCES.resolve("package-lock.json")) == -1;
    if (installed) {
      return;
    }
    Files.copy(SOURCES.resolve("package-lock.json"), lock, StandardCopyOption.REPLACE_EXISTING);
    requireTool("npm");
    Result npm = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), "", NPM_SECONDS);
    if (npm.exitCode() != 0) {
      fail("'npm ci' of the Standard Webhooks reference library into " + INSTALL.toAbsolutePath()
          + " failed (it needs the npm registry, or the package in npm's cache):\n" + npm.output());
    }
  }

  private static void requireTool(String tool) throws Exception {
    Result r;
    try {
      r = run(List.of(tool, "--version"), "", NODE_SECONDS);
    } catch (ProcessNotStarted e) {
      fail("The Standard Webhooks interop test needs Node.js 18+ and npm on the PATH, and '" + tool
          + "' was not found. Install them (Debian/Ubuntu: apt-get install -y nodejs npm; or https://nodejs.org)"
          + " and run bin/tidemark test again. (" + e.getCause().getMessage() + ")");
      return;
    }
    if (r.exitCode() != 0) {
      fail("'" + tool + " --version' failed: " + r.output());
    }
  }

  /** The program could not be started at all (not installed, not on the PATH). */
  private static final class ProcessNotStarted extends Exception {
    ProcessNotStarted(IOException cause) {
      super(cause);
    }
  }

  /** Runs {@code command} in {@code target/interop}; the output is stdout, or stdout and stderr when it fails. */
  private static Result run(List<String> command, String stdin, long timeoutSeconds) throws Exception {
    // Output goes to files, so that no amount of it can fill a pipe and stall the process.
    Path stdout = Files.createTempFile(INSTALL, "stdout", ".txt");
    Path stderr = Files.createTempFile(INSTALL, "stderr", ".txt");
    try {
      Process process;
      try {
        process = new ProcessBuilder(command).directory(INSTALL.toFile())
            .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      } catch (IOException e) {
        throw new ProcessNotStarted(e);
      }
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
      }
      String out = Files.readString(stdout);
      return process.exitValue() == 0 ? new Result(0, out)
          : new Result(process.exitValue(), out + Files.readString(stderr));
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }
}
