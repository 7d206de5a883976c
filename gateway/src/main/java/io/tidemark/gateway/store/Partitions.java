package io.tidemark.gateway.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The partitions of the event stream and of the processing log (migration V11): one table per
 * tenant, holding one table per calendar month (UTC) and a default one. Every DDL statement here
 * is idempotent, waits at most {@link #LOCK_TIMEOUT} for its locks (a partition's creation or drop
 * locks its tenant's table for an instant; behind a long read it would make every append queue up
 * behind it), and several instances may run it at once.
 */
public final class Partitions {

  /** Past it, a DDL statement gives up; the next maintenance run tries again. */
  static final String LOCK_TIMEOUT = "2s";
  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMM", Locale.ROOT);

  /** A partitioned table, by the column its months are cut on. */
  public enum Table {
    EVENTS("event", "recorded_at"),
    LOGS("event_log", "start_time");

    final String name;
    final String timeColumn;

    Table(String name, String timeColumn) {
      this.name = name;
      this.timeColumn = timeColumn;
    }
  }

  /** One tenant's share of a table: tenants are keyed by locator in the stream, by org id in the log. */
  public record Owner(Table table, Object key) {

    public static Owner events(UUID tenant) {
      return new Owner(Table.EVENTS, tenant);
    }

    public static Owner logs(int orgId) {
      return new Owner(Table.LOGS, orgId);
    }

    /** {@code event_<locator without dashes>}, {@code event_log_<org id>} ({@code m} for a minus sign). */
    public String tableName() {
      return table == Table.EVENTS
          ? "event_" + key.toString().replace("-", "")
          : "event_log_" + key.toString().replace("-", "m");
    }

    public String monthName(YearMonth month) {
      return tableName() + "_" + month.format(SUFFIX);
    }

    String literal() {
      return table == Table.EVENTS ? "'" + key + "'" : key.toString();
    }
  }

  private static final String MONTHS_OF = """
      SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        JOIN pg_namespace n ON n.oid = p.relnamespace
       WHERE n.nspname = current_schema() AND p.relname = $1""";

  private final Pool pool;

  public Partitions(Pool pool) {
    this.pool = pool;
  }

  /** Creates {@code owner}'s table (with its default partition) and its months {@code from} to {@code to}, if missing. */
  public Future<Void> ensure(Owner owner, YearMonth from, YearMonth to) {
    List<String> ddl = new ArrayList<>();
    String parent = owner.tableName();
    ddl.add("CREATE TABLE IF NOT EXISTS " + parent + " PARTITION OF " + owner.table().name
        + " FOR VALUES IN (" + owner.literal() + ") PARTITION BY RANGE (" + owner.table().timeColumn + ")");
    ddl.add("CREATE TABLE IF NOT EXISTS " + parent + "_default PARTITION OF " + parent + " DEFAULT");
    for (YearMonth month = from; !month.isAfter(to); month = month.plusMonths(1)) {
      ddl.add("CREATE TABLE IF NOT EXISTS " + owner.monthName(month) + " PARTITION OF " + parent
          + " FOR VALUES FROM ('" + start(month) + "') TO ('" + start(month.plusMonths(1)) + "')");
    }
    Future<Void> done = Future.succeededFuture();
    for (String statement : ddl) {
      done = done.compose(v -> inTransaction(statement));
    }
    return done;
  }

  /**
   * Drops {@code owner}'s months that end at or before {@code cutoff}; returns the dropped tables'
   * names. The default partition is never dropped.
   */
  public Future<List<String>> dropEndingBy(Owner owner, Instant cutoff) {
    return months(owner).compose(months -> {
      List<String> expired = new ArrayList<>();
      for (YearMonth month : months) {
        if (!start(month.plusMonths(1)).isAfter(cutoff)) {
          expired.add(owner.monthName(month));
        }
      }
      Future<Void> done = Future.succeededFuture();
      for (String table : expired) {
        done = done.compose(v -> inTransaction("DROP TABLE IF EXISTS " + table));
      }
      return done.map(expired);
    });
  }

  /** {@code owner}'s month partitions, oldest first. */
  public Future<List<YearMonth>> months(Owner owner) {
    String prefix = owner.tableName() + "_";
    return pool.preparedQuery(MONTHS_OF).execute(Tuple.of(owner.tableName())).map(rows -> {
      List<YearMonth> months = new ArrayList<>();
      for (Row row : rows) {
        String name = row.getString(0);
        String suffix = name.substring(prefix.length());
        if (name.startsWith(prefix) && suffix.matches("\\d{6}")) {
          months.add(YearMonth.parse(suffix, SUFFIX));
        }
      }
      months.sort(null);
      return months;
    });
  }

  private Future<Void> inTransaction(String statement) {
    return pool.withTransaction(conn -> lockTimeout(conn).compose(v -> conn.query(statement).execute())).mapEmpty();
  }

  private static Future<Void> lockTimeout(SqlConnection conn) {
    return conn.query("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'").execute().mapEmpty();
  }

  static Instant start(YearMonth month) {
    return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }
}
