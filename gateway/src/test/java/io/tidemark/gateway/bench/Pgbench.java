package io.tidemark.gateway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The yardstick: what this database does with single-row inserts into a table shaped like the
 * gateway's {@code event} table, one commit each, from as many clients as the HTTP rows use.
 * The table is a copy of the gateway's own ({@code LIKE … INCLUDING ALL}: the same columns,
 * primary key and four indexes), so it stays in step with the migrations.
 */
final class Pgbench {

  static final String SCHEMA = "pgbench_events";

  private static final Pattern TPS = Pattern.compile("(?m)^tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern CONNECT = Pattern.compile("(?m)^initial connection time = ([0-9.]+) ms");
  private static final Pattern FAILED = Pattern.compile("(?m)^number of failed transactions: (\\d+)");

  private final Path executable;
  private final String databaseUrl;
  private final int clients;
  private final Path workDir;
  private Duration connectTime = Duration.ZERO;

  Pgbench(Path executable, String databaseUrl, int clients, Path workDir) {
    this.executable = executable;
    this.databaseUrl = databaseUrl;
    this.clients = clients;
    this.workDir = workDir;
  }

  /** A fresh copy of {@code gatewaySchema.event}, and the script that inserts into it. */
  void prepare(Connection jdbc, String gatewaySchema, UUID tenant, UUID user) throws SQLException, IOException {
    try (Statement sql = jdbc.createStatement()) {
      sql.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      sql.execute("CREATE SCHEMA " + SCHEMA);
      sql.execute("CREATE TABLE " + SCHEMA + ".event (LIKE " + gatewaySchema + ".event INCLUDING ALL)");
      sql.execute("CREATE SEQUENCE " + SCHEMA + ".event_position");
    }
    // A sequence hands out positions: the gateway's per-tenant head row is part of what is measured.
    Files.writeString(script(), """
        INSERT INTO %1$s.event (tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data)
        VALUES ('%2$s', nextval('%1$s.event_position'), gen_random_uuid()::text, '%3$s', gen_random_uuid()::text, now(),
                'policy.issued', jsonb_build_object('policyLocator', gen_random_uuid(), 'productName', 'home', 'premium', 120.5));
        """.formatted(SCHEMA, tenant, user));
  }

  /**
   * Waits, up to {@code patience}, until the server has a connection slot for every pgbench
   * client: on a shared server other sessions come and go, and a client that cannot connect
   * aborts the run.
   */
  void awaitConnectionSlots(Connection jdbc, Duration patience) throws SQLException, InterruptedException {
    String free = """
        SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
               - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')""";
    long deadline = System.nanoTime() + patience.toNanos();
    boolean said = false;
    while (true) {
      int slots;
      try (Statement sql = jdbc.createStatement(); ResultSet rs = sql.executeQuery(free)) {
        rs.next();
        slots = rs.getInt(1);
      }
      if (slots >= clients) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("PostgreSQL has " + slots + " free connection slots and pgbench needs " + clients
            + ": close other sessions, raise max_connections, or run with -Dbench.connections=N");
      }
      if (!said) {
        System.err.printf("bench: PostgreSQL has %d free connection slots, pgbench needs %d; waiting up to %d s%n",
            slots, clients, patience.toSeconds());
        said = true;
      }
      Thread.sleep(500);
    }
  }

  /**
   * {@code pgbench -n -M prepared -c <clients> -j 2 -T <seconds> -f custom.sql}, without the
   * per-transaction log. It also learns how long pgbench's clients take to connect, which
   * {@code -T} counts and {@link #measure} adds back.
   */
  void warmUp(Duration duration) throws IOException, InterruptedException {
    Run run = run(duration, false);
    Matcher connect = CONNECT.matcher(run.output());
    if (run.exitCode() != 0 || !connect.find()) {
      throw new IllegalStateException("pgbench exited with " + run.exitCode() + ":\n" + run.output());
    }
    connectTime = Duration.ofMillis((long) Math.ceil(Double.parseDouble(connect.group(1))));
  }

  /**
   * The same run, with the per-transaction log pgbench writes, for percentiles like the HTTP
   * rows'. It lasts {@code duration} plus the warm-up's connection time, so that about
   * {@code duration} of it is load, as in the HTTP rows, whose connections are already open.
   */
  Summary measure(Duration duration) throws IOException, InterruptedException {
    Run run = run(duration.plus(connectTime).plusMillis(999).truncatedTo(ChronoUnit.SECONDS), true);
    if (run.exitCode() != 0) {
      // A client aborted: the yardstick itself is broken, and every ratio with it.
      throw new IllegalStateException("pgbench exited with " + run.exitCode() + ":\n" + run.output());
    }
    double tps = tps(run);
    Matcher failed = FAILED.matcher(run.output());
    long failures = failed.find() ? Long.parseLong(failed.group(1)) : 0;
    long[] latencies = loggedLatencies();
    Summary committed = Summary.of(latencies, latencies.length / tps, Map.of());
    // Failed transactions have no latency in the log; they count as calls that failed.
    return new Summary(committed.calls() + failures, committed.seconds(), committed.p50Nanos(), committed.p99Nanos(),
        committed.maxNanos(), failures == 0 ? Map.of() : Map.of("failed transactions", failures));
  }

  /** pgbench's own figure, which leaves out the time its clients took to connect. */
  private static double tps(Run run) {
    Matcher tps = TPS.matcher(run.output());
    if (!tps.find()) {
      throw new IllegalStateException("pgbench exited with " + run.exitCode() + " and no tps:\n" + run.output());
    }
    return Double.parseDouble(tps.group(1));
  }

  private record Run(int exitCode, String output) {}

  private Run run(Duration duration, boolean log) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(executable.toString(), "-n", "-M", "prepared",
        "-c", Integer.toString(clients), "-j", "2", "-T", Long.toString(duration.toSeconds()), "-f", script().toString()));
    if (log) {
      clearLogs();
      command.addAll(List.of("-l", "--log-prefix=" + workDir.resolve("pgbench_log")));
    }
    command.add(databaseUrl);
    Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), output);
  }

  /**
   * Column 3 of each log line ({@code client_id transaction_no time script_no time_epoch time_us})
   * is the transaction's latency in microseconds; failed ones say so instead and are left out.
   */
  private long[] loggedLatencies() throws IOException {
    List<Path> logs;
    try (Stream<Path> files = Files.list(workDir)) {
      logs = files.filter(f -> f.getFileName().toString().startsWith("pgbench_log.")).toList();
    }
    List<Long> nanos = new ArrayList<>();
    for (Path file : logs) {
      try (Stream<String> lines = Files.lines(file)) {
        lines.map(line -> line.split(" "))
            .filter(fields -> fields.length >= 3 && fields[2].chars().allMatch(Character::isDigit))
            .forEach(fields -> nanos.add(Long.parseLong(fields[2]) * 1000));
      }
    }
    return nanos.stream().mapToLong(Long::longValue).toArray();
  }

  private void clearLogs() throws IOException {
    try (Stream<Path> files = Files.list(workDir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("pgbench_log.")).toList()) {
        Files.delete(f);
      }
    }
  }

  private Path script() {
    return workDir.resolve("custom.sql");
  }
}
