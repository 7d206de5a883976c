package io.tidemark.gateway.bench;

import io.tidemark.gateway.config.ConfigLoader;
import io.tidemark.gateway.config.DatabaseUrl;
import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.TenantConfig;
import io.tidemark.gateway.config.WebhookConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code bin/tidemark bench}: the running gateway under HTTP load, next to what the same
 * database does with plain single-row inserts. One run prints one table:
 *
 * <ul>
 *   <li>pgbench, one event-shaped row per transaction: the yardstick;
 *   <li>webhook ingestion, policy issue (a plugin route) and the stream list, each driven by
 *       {@link ClosedLoop} over as many connections as pgbench has clients.
 * </ul>
 *
 * The gateway runs as {@code bin/tidemark run} runs it: its own JVM, the shipped config, the
 * shipped plugins. Figures, not assertions. The database is the bench's own: the gateway's
 * schema in it is emptied first, so every run starts from the same state.
 */
public final class HttpBenchmark {

  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "admin-secret";
  private static final String READER = "reader";
  private static final String READER_PASSWORD = "reader-secret";

  /** The definition the demo webhook ingests, as in docs/behavioral-events.md. */
  private static final String DEFINITION = """
      {"eventName": "Group_User_Event", "description": "user joined a group",
       "actions": ["customer-identification", "group-membership"],
       "fields": [{"name": "String", "type": "string"},
                  {"name": "enum", "type": "enum", "attributes": {"enumValues": ["customerUserGroup", "premiumUserGroup"]}},
                  {"name": "customer", "type": "customer", "attributes": {"identifierType": "mobile"}}]}""";
  private static final String WEBHOOK_EVENT =
      "{\"event_name\":\"Group_User_Event\",\"String\":\"bench\",\"enum\":\"customerUserGroup\",\"customer\":\"919970388310\"}";

  private static final Target WEBHOOK_TARGET = new Target(1.0, 50);
  private static final Target POLICY_TARGET = new Target(0.5, 50);
  private static final Target LIST_TARGET = new Target(null, 50);

  private HttpBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("tidemark.repo.root", ".")).toAbsolutePath().normalize();
    String databaseUrl = System.getenv(ConfigLoader.ENV_DB_URL);
    if (databaseUrl == null || databaseUrl.isBlank()) {
      throw new IllegalStateException(ConfigLoader.ENV_DB_URL + " must name the bench's database (bin/tidemark bench sets it)");
    }
    Duration seconds = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
    // Long enough for the JIT: the gateway's compiler threads take up to half a core in its first
    // 20 s under load, which a shorter warm-up leaves in the first row's figures.
    Duration warmUp = Duration.ofSeconds(Integer.getInteger("bench.warmup", 15));
    int connections = Integer.getInteger("bench.connections", 64);
    String gatewayOptions = System.getProperty("bench.gatewayJavaOpts", "").trim();
    Path pgbenchExecutable = Path.of(System.getProperty("bench.pgbench", "pgbench"));
    // -Dbench.rows=pgbench,webhook runs only those rows (names: pgbench, webhook, policy, list);
    // pgbench always runs, since the ratios against it are what the figures mean.
    List<String> only = Arrays.stream(System.getProperty("bench.rows", "pgbench,webhook,policy,list").split(","))
        .map(String::trim).toList();

    Path configFile = root.resolve("config/gateway.yaml");
    GatewayConfig config = ConfigLoader.load(configFile, Map.of(ConfigLoader.ENV_DB_URL, databaseUrl));
    String schema = config.database().schema();
    TenantConfig tenant = config.tenantNamed("demo").orElseThrow(() -> new IllegalStateException("no tenant 'demo' in " + configFile));
    UUID adminLocator = config.users().stream().filter(u -> u.name().equals(ADMIN)).findFirst().orElseThrow().userLocator();
    WebhookConfig webhook = config.webhooks().stream()
        .filter(w -> w.tenant().equals(tenant.name()) && w.transformers().isEmpty())
        .findFirst().orElseThrow(() -> new IllegalStateException("no plain webhook for tenant demo in " + configFile));

    Path work = Files.createDirectories(root.resolve("target/bench"));
    Path log = work.resolve("gateway.log");
    DatabaseUrl db = DatabaseUrl.parse(databaseUrl);
    List<Row> rows = new ArrayList<>();
    String loadBefore = loadAverage();
    String serverVersion;
    long streamSize;

    try (Connection jdbc = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      serverVersion = single(jdbc, "SHOW server_version");
      try (Statement sql = jdbc.createStatement()) {
        sql.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
      progress("starting the gateway (log: %s)", root.relativize(log));
      try (GatewayProcess gateway = GatewayProcess.start(root, configFile, databaseUrl, split(gatewayOptions), log)) {
        Pgbench pgbench = new Pgbench(pgbenchExecutable, databaseUrl, connections, work);
        pgbench.prepare(jdbc, schema, tenant.locator(), adminLocator);
        rows.add(pgbenchRow(pgbench, jdbc, warmUp, seconds));

        setUp(gateway.port(), "/v2/events", DEFINITION);
        try (ClosedLoop load = new ClosedLoop("127.0.0.1", gateway.port(), connections)) {
          if (only.contains("webhook")) {
            rows.add(httpRow("webhook ingestion", load, gateway, warmUp, seconds, WEBHOOK_TARGET,
                Call.post("/v2/webhooks/" + webhook.id() + "/events", ADMIN, ADMIN_PASSWORD, WEBHOOK_EVENT)));
          }
          if (only.contains("policy")) {
            rows.add(httpRow("policy issue (plugin)", load, gateway, warmUp, seconds, POLICY_TARGET,
                Call.post("/policy/" + tenant.locator() + "/policies", ADMIN, ADMIN_PASSWORD, policy())));
          }
          streamSize = Long.parseLong(single(jdbc, "SELECT count(*) FROM " + schema + ".event"));
          if (only.contains("list")) {
            rows.add(httpRow("stream list (page 1)", load, gateway, warmUp, seconds, LIST_TARGET,
                Call.get("/event/" + tenant.locator() + "/events/list", READER, READER_PASSWORD)));
          }
        }
      }
    }
    Context context = new Context(connections, warmUp, seconds, databaseUrl, serverVersion, gatewayOptions, streamSize,
        loadBefore, loadAverage(), root.relativize(log));
    print(rows, context);
  }

  /** With the gateway up but idle: the same machine, the same moment, no HTTP. */
  private static Row pgbenchRow(Pgbench pgbench, Connection jdbc, Duration warmUp, Duration seconds) throws Exception {
    progress("pgbench: %d s warm-up, %d s measured", warmUp.toSeconds(), seconds.toSeconds());
    pgbench.awaitConnectionSlots(jdbc, Duration.ofMinutes(2));
    pgbench.warmUp(warmUp);
    pgbench.awaitConnectionSlots(jdbc, Duration.ofMinutes(2));
    return new Row("pgbench 1-row insert", pgbench.measure(seconds), null, -1, null, null);
  }

  private static Row httpRow(String name, ClosedLoop load, GatewayProcess gateway, Duration warmUp, Duration seconds,
      Target target, Call call) throws java.io.IOException {
    progress("%s: %s %s, %d s warm-up, %d s measured", name, call.method(), call.uri(), warmUp.toSeconds(), seconds.toSeconds());
    load.run(call, warmUp);
    Duration gatewayCpu = gateway.cpu();
    Duration loadCpu = ownCpu();
    long start = System.nanoTime();
    Summary summary = load.run(call, seconds);
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Row(name, summary,
        cores(gateway.cpu().minus(gatewayCpu), elapsed), gateway.rssBytes(),
        cores(ownCpu().minus(loadCpu), elapsed), target);
  }

  /** A year-long policy starting today; its expiry is scheduled a year out, so no firing competes. */
  private static String policy() {
    LocalDate today = LocalDate.now();
    return "{\"productName\":\"home\",\"startTime\":\"" + today + "T00:00:00Z\",\"endTime\":\"" + today.plusYears(1)
        + "T00:00:00Z\",\"premium\":120.5}";
  }

  private static void setUp(int port, String path, String json) throws Exception {
    HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException("set-up POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  /** What the figures were measured under, printed above them. */
  private record Context(int connections, Duration warmUp, Duration seconds, String databaseUrl, String serverVersion,
      String gatewayOptions, long streamSize, String loadBefore, String loadAfter, Path log) {}

  private static void print(List<Row> rows, Context c) {
    double pgbenchTps = rows.get(0).summary().okPerSecond();
    System.out.printf("%nTidemark HTTP benchmark: %d connections, %d s warm-up then %d s per row%n",
        c.connections(), c.warmUp().toSeconds(), c.seconds().toSeconds());
    System.out.printf("database  %s (PostgreSQL %s)%n", c.databaseUrl().replaceAll("//([^:/@]+):[^@]*@", "//$1:***@"),
        c.serverVersion());
    System.out.printf("machine   %d cores, load average %s before and %s after (other work competes for the cores)%n",
        Runtime.getRuntime().availableProcessors(), c.loadBefore(), c.loadAfter());
    System.out.printf("gateway   java %s -jar tidemark-gateway.jar config/gateway.yaml%n",
        c.gatewayOptions().isEmpty() ? "" : c.gatewayOptions());
    System.out.printf("load      closed loop, Vert.x HTTP/1.1 client in its own JVM, Basic auth; stream list over %d events%n%n",
        c.streamSize());
    String columns = "%-22s %7s %7s %8s %8s %8s %8s %7s %7s %8s  %-35s %-20s %s%n";
    System.out.printf(columns, "row", "req/s", "2xx/s", "×pgbench", "p50 ms", "p99 ms", "non-2xx", "gw CPU", "gw RSS", "load CPU",
        "target", "met?", "top non-2xx");
    for (Row row : rows) {
      Summary s = row.summary();
      System.out.printf(columns, row.name(), String.format("%.0f", s.perSecond()), String.format("%.0f", s.okPerSecond()),
          String.format("%.2f", s.okPerSecond() / pgbenchTps), String.format("%.2f", s.p50Millis()),
          String.format("%.2f", s.p99Millis()), s.failed(),
          row.gatewayCores() == null ? "-" : String.format("%.2f", row.gatewayCores()),
          row.gatewayRss() < 0 ? "-" : (row.gatewayRss() >> 20) + " MB",
          row.loadCores() == null ? "-" : String.format("%.2f", row.loadCores()),
          row.target() == null ? "(the yardstick)" : row.target().describe(),
          row.target() == null ? "" : row.target().verdict(s, pgbenchTps),
          s.topFailures(3));
    }
    System.out.printf("%n×pgbench: 2xx answers per second over pgbench's committed transactions per second. Latency counts%n"
        + "every answer, 2xx or not. CPU: cores used over the row (of %d); RSS: at the row's end.%n",
        Runtime.getRuntime().availableProcessors());
    System.out.printf("Gateway log: %s%n", c.log());
  }

  /** A row's target: a least throughput as a multiple of pgbench's, a highest p99, no failures. */
  record Target(Double minRatio, double maxP99Millis) {

    String describe() {
      return (minRatio == null ? "" : "≥" + minRatio + "× pgbench, ") + "p99≤" + (long) maxP99Millis + " ms, 0 non-2xx";
    }

    /** "yes", or what was missed: "no: ×, p99, non-2xx". */
    String verdict(Summary s, double pgbenchTps) {
      List<String> missed = new ArrayList<>();
      if (minRatio != null && s.okPerSecond() / pgbenchTps < minRatio) {
        missed.add("×");
      }
      if (s.p99Millis() > maxP99Millis) {
        missed.add("p99");
      }
      if (s.failed() > 0) {
        missed.add("non-2xx");
      }
      return missed.isEmpty() ? "yes" : "no: " + String.join(", ", missed);
    }
  }

  /** One line of the table; the CPU and RSS figures are null and -1 where there is no gateway to measure. */
  private record Row(String name, Summary summary, Double gatewayCores, long gatewayRss, Double loadCores, Target target) {}

  /** The 1-minute load average, or "?" off Linux. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }

  private static double cores(Duration cpu, double seconds) {
    return cpu.toNanos() / 1e9 / seconds;
  }

  private static Duration ownCpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The first column of the first row of {@code query}. */
  static String single(Connection jdbc, String query) throws Exception {
    try (Statement sql = jdbc.createStatement(); ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> split(String options) {
    return options.isEmpty() ? List.of() : Arrays.asList(options.split("\\s+"));
  }

  static void progress(String format, Object... args) {
    System.err.printf("bench: " + format + "%n", args);
  }
}
