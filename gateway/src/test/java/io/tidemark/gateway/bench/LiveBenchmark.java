package io.tidemark.gateway.bench;

import static io.tidemark.gateway.bench.HttpBenchmark.progress;

import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.DatabaseUrl;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.TenantConfig;
import io.tidemark.gateway.config.WebhookConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bin/tidemark bench --live}: live delivery's figures, against the gateway as it runs
 * ({@code java -jar} on the shipped config, its own JVM), receivers and listeners in this JVM.
 *
 * <ul>
 *   <li>delivery throughput of one subscription working off a backlog (a replay of the stream);
 *   <li>the same across 100 subscriptions at once;
 *   <li>commit-to-receipt latency of one subscription while webhooks arrive at a steady rate;
 *   <li>SSE fan-out: 100 live listeners while webhooks arrive at that rate, commit to receipt.
 * </ul>
 *
 * "Commit" is the event's {@code timestamp}, taken inside its transaction just before it
 * commits, so the latency includes the commit itself. Same machine, same clock. Figures, not
 * assertions; the database is the bench's own, its gateway schema emptied first.
 */
public final class LiveBenchmark {

  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "admin-secret";
  private static final String READER = "reader";
  private static final String READER_PASSWORD = "reader-secret";
  private static final String DEFINITION = """
      {"eventName": "Live_Bench", "description": "live delivery benchmark",
       "actions": ["customer-identification"], "fields": [{"name": "customer", "type": "customer"}]}""";
  private static final String EVENT = "{\"event_name\":\"Live_Bench\",\"customer\":\"919970388310\"}";

  private LiveBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("tidemark.repo.root", ".")).toAbsolutePath().normalize();
    String databaseUrl = System.getenv(ConfigLoader.ENV_DB_URL);
    if (databaseUrl == null || databaseUrl.isBlank()) {
      throw new IllegalStateException(ConfigLoader.ENV_DB_URL + " must name the bench's database (bin/tidemark bench sets it)");
    }
    int backlog = Integer.getInteger("bench.backlog", 20_000);
    int backlogEach = Integer.getInteger("bench.backlogEach", 1_000);
    int subscriptions = Integer.getInteger("bench.subscriptions", 100);
    int listeners = Integer.getInteger("bench.listeners", 100);
    int rate = Integer.getInteger("bench.rate", 200);
    Duration steady = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
    String gatewayOptions = System.getProperty("bench.gatewayJavaOpts", "").trim();

    Path work = Files.createDirectories(root.resolve("target/bench"));
    Path configFile = liveConfig(root, work, listeners);
    GatewayConfig config = ConfigLoader.load(configFile, Map.of(ConfigLoader.ENV_DB_URL, databaseUrl));
    String schema = config.database().schema();
    TenantConfig tenant = config.tenantNamed("demo").orElseThrow();
    WebhookConfig webhook = config.webhooks().stream()
        .filter(w -> w.tenant().equals(tenant.name()) && w.transformers().isEmpty()).findFirst().orElseThrow();
    String ingest = "/v2/webhooks/" + webhook.id() + "/events";
    String subs = "/event/" + tenant.locator() + "/subscriptions";
    DatabaseUrl db = DatabaseUrl.parse(databaseUrl);
    Path log = work.resolve("gateway-live.log");
    List<String> lines = new ArrayList<>();

    Vertx vertx = Vertx.vertx();
    try (Connection jdbc = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      try (Statement sql = jdbc.createStatement()) {
        sql.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
      progress("starting the gateway (log: %s)", root.relativize(log));
      try (GatewayProcess gateway = GatewayProcess.start(root, configFile, databaseUrl,
          gatewayOptions.isEmpty() ? List.of() : Arrays.asList(gatewayOptions.split("\\s+")), log)) {
        Api api = new Api(vertx, gateway.port());
        api.send(HttpMethod.POST, "/v2/events", DEFINITION, 201);
        Receivers receivers = new Receivers(vertx);

        progress("writing a backlog of %d events", backlog);
        try (ClosedLoop load = new ClosedLoop("127.0.0.1", gateway.port(), 16)) {
          while (count(jdbc, "SELECT count(*) FROM " + schema + ".event") < backlog) {
            load.run(Call.post(ingest, ADMIN, ADMIN_PASSWORD, EVENT), Duration.ofSeconds(1));
          }
        }
        long streamSize = count(jdbc, "SELECT count(*) FROM " + schema + ".event");

        // 1. One subscription replays the whole stream.
        progress("one subscription replays %d events", streamSize);
        String one = api.subscribe(subs, receivers.url(0));
        long started = System.nanoTime();
        api.send(HttpMethod.POST, subs + "/" + one + "/replay", "{\"startTimestamp\":\"2000-01-01T00:00:00Z\"}", 202);
        receivers.await(0, streamSize, Duration.ofMinutes(10));
        double seconds = (System.nanoTime() - started) / 1e9;
        lines.add(String.format("%-44s %10.0f events/s  (%d events in %.1f s)", "delivery, 1 subscription, backlog",
            streamSize / seconds, streamSize, seconds));
        api.send(HttpMethod.DELETE, subs + "/" + one, null, 204);

        // 2. 100 subscriptions each replay the stream's last backlogEach events, at once.
        String from = HttpBenchmark.single(jdbc, "SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM "
            + schema + ".event ORDER BY position DESC OFFSET " + (backlogEach - 1) + " LIMIT 1");
        long each = count(jdbc, "SELECT count(*) FROM " + schema + ".event WHERE recorded_at >= '" + from + "'");
        progress("%d subscriptions replay %d events each", subscriptions, each);
        List<String> many = new ArrayList<>();
        for (int i = 1; i <= subscriptions; i++) {
          many.add(api.subscribe(subs, receivers.url(i)));
        }
        started = System.nanoTime();
        for (String id : many) {
          api.send(HttpMethod.POST, subs + "/" + id + "/replay", "{\"startTimestamp\":\"" + from + "\"}", 202);
        }
        for (int i = 1; i <= subscriptions; i++) {
          receivers.await(i, each, Duration.ofMinutes(10));
        }
        seconds = (System.nanoTime() - started) / 1e9;
        lines.add(String.format("%-44s %10.0f events/s  (%d × %d events in %.1f s)", "delivery, " + subscriptions
            + " subscriptions, backlog", subscriptions * each / seconds, subscriptions, each, seconds));
        for (String id : many) {
          api.send(HttpMethod.DELETE, subs + "/" + id, null, 204);
        }

        // 3. One subscription while events arrive at a steady rate: commit to receipt.
        int live = subscriptions + 1;
        String timedSubscription = api.subscribe(subs, receivers.url(live));
        receivers.startTiming(live);
        progress("one subscription, %d webhooks/s for %d s", rate, steady.toSeconds());
        long sent = new SteadyWriter(vertx, gateway.port(), ingest, rate).run(steady);
        receivers.await(live, sent, Duration.ofMinutes(2));
        lines.add(String.format("%-44s %s", "delivery latency, 1 subscription, " + rate + "/s", receivers.latency(live)));
        api.send(HttpMethod.DELETE, subs + "/" + timedSubscription, null, 204);

        // 4. SSE fan-out.
        progress("%d live listeners, %d webhooks/s for %d s", listeners, rate, steady.toSeconds());
        Listeners sse = new Listeners(vertx, gateway.port(), "/event/" + tenant.locator() + "/events/live", listeners);
        long fanned = new SteadyWriter(vertx, gateway.port(), ingest, rate).run(steady);
        sse.await(fanned, Duration.ofMinutes(2));
        lines.add(String.format("%-44s %s  (%d frames)", "SSE fan-out, " + listeners + " listeners, " + rate + "/s",
            sse.latency(), sse.frames()));
        lines.add(String.format("%-44s %d MB", "gateway RSS at the end", gateway.rssBytes() >> 20));
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    System.out.printf("%nTidemark live delivery benchmark: %d cores, load average %s%n",
        Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    System.out.printf("gateway   java %s -jar tidemark-gateway.jar (shipped config; live.maxConnectionsPerUser raised for the listeners)%n%n",
        gatewayOptions);
    lines.forEach(System.out::println);
    System.out.printf("%nLatency: from the event's timestamp (taken in its transaction) to its receipt; p50 / p99 / max.%n");
    System.out.printf("Gateway log: %s%n", root.relativize(log));
  }

  /** The shipped config, with room for the listeners; its relative paths made absolute. */
  private static Path liveConfig(Path root, Path work, int listeners) throws Exception {
    Path shipped = root.resolve("config");
    String yaml = Files.readString(shipped.resolve("gateway.yaml"))
        .replaceFirst("(?m)^  maxConnectionsPerUser: \\d+", "  maxConnectionsPerUser: " + (listeners + 10))
        .replaceFirst("(?m)^(  htpasswdFile:) users.htpasswd", "$1 " + shipped.resolve("users.htpasswd"))
        .replaceFirst("(?m)^(  directory:) \\.\\./target/plugins", "$1 " + root.resolve("target/plugins"));
    Path file = work.resolve("gateway-live.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** The gateway's API as the admin and reader use it. */
  private static final class Api {
    private final HttpClient client;
    private final int port;

    Api(Vertx vertx, int port) {
      this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
      this.port = port;
    }

    JsonObject send(HttpMethod method, String uri, String json, int expected) throws Exception {
      RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
          .putHeader("Authorization", basic(ADMIN, ADMIN_PASSWORD)).putHeader("Content-Type", "application/json");
      record Answer(int status, Buffer body) {}
      Answer answer = client.request(options)
          .compose(r -> (json == null ? r.send() : r.send(json)).compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b))))
          .await(60, TimeUnit.SECONDS);
      if (answer.status() != expected) {
        throw new IllegalStateException(method + " " + uri + " answered " + answer.status() + ": " + answer.body());
      }
      return answer.body().length() == 0 ? new JsonObject() : answer.body().toJsonObject();
    }

    String subscribe(String subs, String url) throws Exception {
      return send(HttpMethod.POST, subs, "{\"url\":\"" + url + "\"}", 201).getString("id");
    }
  }

  /** One HTTP server; {@code /s/<n>} is receiver n. Counts deliveries, times them when asked to. */
  private static final class Receivers {
    private final HttpServer server;
    private final Map<Integer, LongAdder> counts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, Latencies> timed = new java.util.concurrent.ConcurrentHashMap<>();

    Receivers(Vertx vertx) throws Exception {
      server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
        int n = Integer.parseInt(request.path().substring(3));
        Latencies latencies = timed.get(n);
        if (latencies != null) {
          latencies.add(body.toJsonObject().getString("timestamp"));
        }
        counts.computeIfAbsent(n, k -> new LongAdder()).increment();
        request.response().setStatusCode(204).end();
      })).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    }

    String url(int n) {
      return "http://127.0.0.1:" + server.actualPort() + "/s/" + n;
    }

    void startTiming(int n) {
      timed.put(n, new Latencies());
    }

    String latency(int n) {
      return timed.get(n).describe();
    }

    void await(int n, long events, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (counts.getOrDefault(n, new LongAdder()).sum() < events) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("receiver " + n + " got " + counts.get(n) + " of " + events + " within " + limit);
        }
        Thread.sleep(5); // a benchmark's progress check, not a test's wait
      }
    }
  }

  /** SSE readers of the live tail, each counting frames and timing them from their timestamps. */
  private static final class Listeners {
    private final Latencies latencies = new Latencies();
    private final LongAdder frames = new LongAdder();
    private final int count;

    Listeners(Vertx vertx, int port, String uri, int count) throws Exception {
      this.count = count;
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(count));
      List<Future<?>> opened = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        opened.add(client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(uri)
                .putHeader("Accept", "text/event-stream").putHeader("Authorization", basic(READER, READER_PASSWORD)))
            .compose(r -> r.send()).onSuccess(response -> {
              if (response.statusCode() != 200) {
                throw new IllegalStateException("live answered " + response.statusCode());
              }
              RecordParser lines = RecordParser.newDelimited("\n", line -> {
                if (line.length() > 6 && line.getByte(0) == 'd') {
                  latencies.add(new JsonObject(line.getString(6, line.length())).getString("timestamp"));
                  frames.increment();
                }
              });
              response.handler(lines);
            }));
      }
      Future.all(opened).await(60, TimeUnit.SECONDS);
    }

    long frames() {
      return frames.sum();
    }

    String latency() {
      return latencies.describe();
    }

    void await(long events, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (frames.sum() < events * count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("listeners got " + frames.sum() + " of " + events * count + " frames within " + limit);
        }
        Thread.sleep(5);
      }
    }
  }

  /** Webhook calls at a steady rate (an open loop: the rate does not bend to the gateway). */
  private static final class SteadyWriter {
    private final Vertx vertx;
    private final HttpClient client;
    private final RequestOptions options;
    private final int rate;

    SteadyWriter(Vertx vertx, int port, String uri, int rate) {
      this.vertx = vertx;
      this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(32));
      this.options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(uri)
          .putHeader("Authorization", basic(ADMIN, ADMIN_PASSWORD)).putHeader("Content-Type", "application/json");
      this.rate = rate;
    }

    /** Sends for {@code duration}; returns how many were answered 200. */
    long run(Duration duration) throws Exception {
      AtomicLong ok = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long total = rate * duration.toSeconds();
      AtomicLong issued = new AtomicLong();
      long periodMillis = 10;
      long perTick = Math.max(1, rate * periodMillis / 1000);
      io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
      AtomicLong answered = new AtomicLong();
      vertx.setPeriodic(periodMillis, timer -> {
        for (int i = 0; i < perTick && issued.get() < total; i++) {
          issued.incrementAndGet();
          client.request(options).compose(r -> r.send(EVENT)).compose(r -> r.body().map(b -> r.statusCode()))
              .onComplete(result -> {
                (result.succeeded() && result.result() == 200 ? ok : failed).incrementAndGet();
                if (answered.incrementAndGet() == total) {
                  done.tryComplete();
                }
              });
        }
        if (issued.get() >= total) {
          vertx.cancelTimer(timer);
        }
      });
      done.future().await(duration.toSeconds() + 120, TimeUnit.SECONDS);
      if (failed.get() > 0) {
        progress("%d webhook calls failed", failed.get());
      }
      client.close();
      return ok.get();
    }
  }

  /** Receipt minus the event's timestamp, in milliseconds. */
  private static final class Latencies {
    private final List<Long> micros = new ArrayList<>();

    void add(String timestamp) {
      Instant received = Instant.now(); // microseconds on Linux
      long now = received.getEpochSecond() * 1_000_000 + received.getNano() / 1000;
      // Timestamps have milliseconds: half a millisecond is added on average.
      long at = Instant.parse(timestamp).toEpochMilli() * 1000;
      synchronized (micros) {
        micros.add(Math.max(0, now - at));
      }
    }

    String describe() {
      List<Long> sorted;
      synchronized (micros) {
        sorted = new ArrayList<>(micros);
      }
      if (sorted.isEmpty()) {
        return "no events";
      }
      sorted.sort(null);
      return String.format("p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms", at(sorted, 0.50), at(sorted, 0.99),
          sorted.get(sorted.size() - 1) / 1000.0);
    }

    private static double at(List<Long> sorted, double q) {
      return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1)) / 1000.0;
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static long count(Connection jdbc, String query) throws Exception {
    return Long.parseLong(HttpBenchmark.single(jdbc, query));
  }
}
