package io.tidemark.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the instance delivering a subscription, in the middle of an attempt: the other
 * instance takes the subscription over once the lease runs out and goes on from the event that
 * was in flight. The receiver misses nothing and gets one event twice, back to back.
 */
class DeliveryTakeoverTest {

  private static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("admin:admin-secret".getBytes(StandardCharsets.UTF_8));
  private static final String READER = "Basic " + Base64.getEncoder().encodeToString("reader:reader-secret".getBytes(StandardCharsets.UTF_8));
  private static final int POLICY_CALLS = 1000; // 2,000 events
  private static final int HELD_DELIVERY = 500; // the attempt in flight when its instance is killed
  private static final int LEASE_SECONDS = 5;

  @TempDir
  Path dir;

  /** The webhook-id of each request the receiver got, in arrival order. */
  private final List<String> received = new ArrayList<>();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void the_other_instance_takes_over_a_killed_deliverer_and_misses_nothing() throws Exception {
    String schema = TestDatabase.newSchema(DeliveryTakeoverTest.class);
    Path config = GatewayProcesses.shippedConfigIn(dir, schema, yaml -> yaml.replaceFirst("(?m)^delivery:.*$",
        "delivery:\n  leaseSeconds: " + LEASE_SECONDS + "\n  timeoutMillis: 4000\n  pollMillis: 50"));
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.createContext("/hook", exchange -> {
      int n;
      synchronized (received) {
        received.add(exchange.getRequestHeaders().getFirst("webhook-id"));
        n = received.size();
      }
      exchange.getRequestBody().readAllBytes();
      if (n == HELD_DELIVERY) {
        held.countDown();
        awaitQuietly(release); // its sender is killed meanwhile
      }
      try {
        exchange.sendResponseHeaders(204, -1);
      } catch (IOException gone) {
        // the held attempt's connection died with its instance
      }
      exchange.close();
    });
    receiver.start();
    Process one = GatewayProcesses.start(config, dir.resolve("one.log"));
    Process two = GatewayProcesses.start(config, dir.resolve("two.log"));
    try {
      String base = "http://127.0.0.1:" + GatewayProcesses.awaitPort(one, dir.resolve("one.log"), Duration.ofSeconds(90));
      String otherBase = "http://127.0.0.1:" + GatewayProcesses.awaitPort(two, dir.resolve("two.log"), Duration.ofSeconds(90));
      // The stream first, then a subscription replaying it: the held attempt is the 500th, whatever the writers' pace.
      writePolicies(List.of(base, otherBase));
      String subscriptions = base + "/event/" + TestGateway.DEMO_TENANT + "/subscriptions";
      HttpResponse<String> created = send(post(subscriptions,
          "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"}"));
      assertEquals(201, created.statusCode(), created.body());
      HttpResponse<String> replay = send(post(subscriptions + "/" + new JsonObject(created.body()).getString("id") + "/replay",
          "{\"startTimestamp\":\"2000-01-01T00:00:00Z\"}"));
      assertEquals(202, replay.statusCode(), replay.body());
      assertTrue(held.await(2, TimeUnit.MINUTES), "the receiver reached delivery " + HELD_DELIVERY);

      long ownerPid = leaseOwnerPid(schema);
      Process owner = ownerPid == one.pid() ? one : two;
      Process survivor = owner == one ? two : one;
      assertEquals(ownerPid, owner.pid(), "one of the two instances holds the lease");
      owner.destroyForcibly(); // SIGKILL, mid-attempt
      assertTrue(owner.waitFor(30, TimeUnit.SECONDS));
      release.countDown();

      List<String> stream = streamLocators(owner == one ? otherBase : base);
      assertEquals(2 * POLICY_CALLS, stream.size());
      Poll.within(Duration.ofMinutes(2), () -> received().size() > stream.size() ? true : null,
          "the survivor's deliveries: the rest of the stream, once the killed instance's lease ran out");
      assertTrue(survivor.isAlive());

      List<String> got = received();
      assertEquals(stream.size() + 1, got.size(), "every event once, and the one in flight at the kill twice");
      List<String> expected = new ArrayList<>(stream);
      expected.add(HELD_DELIVERY, stream.get(HELD_DELIVERY - 1));
      assertEquals(expected, got, "in stream order; the event in flight sent again right after itself");
    } finally {
      release.countDown();
      one.destroyForcibly();
      two.destroyForcibly();
      receiver.stop(0);
      TestDatabase.dropSchema(schema);
    }
  }

  private List<String> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  private void writePolicies(List<String> bases) throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        String base = bases.get(w % bases.size());
        done.add(writers.submit(() -> {
          for (int i = 0; i < POLICY_CALLS / 8; i++) {
            HttpResponse<String> r = send(post(base + "/policy/" + TestGateway.DEMO_TENANT + "/policies",
                "{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":10}"));
            assertEquals(201, r.statusCode(), r.body());
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(3, TimeUnit.MINUTES);
      }
    } finally {
      writers.shutdownNow();
    }
  }

  /** The stream, oldest first, paged through the list endpoint. */
  private List<String> streamLocators(String base) throws Exception {
    List<String> locators = new ArrayList<>();
    String token = null;
    do {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/event/" + TestGateway.DEMO_TENANT
              + "/events/list?pageSize=1000" + (token == null ? "" : "&pagingToken=" + token)))
          .header("Authorization", READER).GET().build());
      assertEquals(200, r.statusCode(), r.body());
      JsonObject page = new JsonObject(r.body());
      page.getJsonArray("events").forEach(e -> locators.add(((JsonObject) e).getString("locator")));
      token = page.getJsonArray("events").isEmpty() ? null : page.getString("pagingToken");
    } while (token != null);
    return locators;
  }

  /** The pid in the subscription's lease owner ({@code pid-<pid>-<uuid>}). */
  private static long leaseOwnerPid(String schema) throws Exception {
    try (Connection db = TestDatabase.connect(schema); Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT lease_owner FROM subscription")) {
      assertTrue(rs.next());
      String owner = rs.getString(1);
      assertTrue(owner != null && owner.startsWith("pid-"), "lease owner " + owner);
      return Long.parseLong(owner.split("-")[1]);
    }
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", ADMIN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
