package io.tidemark.gateway.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.gateway.config.RetentionConfig;
import io.tidemark.gateway.config.TenantConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each configured tenant's partitions ready and drops the expired ones: at start-up (before
 * anything is appended) and then every {@code retention.checkMinutes}. With several instances
 * each does the same idempotent work; one that loses a race (a table another just created) lets
 * it be.
 */
public final class Retention {

  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
  /** duplicate_table: another instance created the partition first. */
  private static final String DUPLICATE_TABLE = "42P07";

  private final Vertx vertx;
  private final Partitions partitions;
  private final RetentionConfig config;
  private final List<TenantConfig> tenants;
  private final Clock clock;
  private final Counter droppedEvents;
  private final Counter droppedLogs;
  private long timer = -1;

  public Retention(Vertx vertx, Pool pool, RetentionConfig config, List<TenantConfig> tenants, Clock clock,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.partitions = new Partitions(pool);
    this.config = config;
    this.tenants = List.copyOf(tenants);
    this.clock = clock;
    this.droppedEvents = dropped(registry, "events");
    this.droppedLogs = dropped(registry, "logs");
  }

  private static Counter dropped(MeterRegistry registry, String table) {
    return Counter.builder("tidemark.retention.partitions.dropped")
        .description("Month partitions dropped by retention").tag("table", table).register(registry);
  }

  /** The current month's and the coming months' partitions of every tenant, in both tables. */
  public Future<Void> prepare() {
    YearMonth now = YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
    YearMonth last = now.plusMonths(config.monthsAhead());
    Future<Void> done = Future.succeededFuture();
    for (TenantConfig tenant : tenants) {
      for (Partitions.Owner owner : List.of(Partitions.Owner.events(tenant.locator()), Partitions.Owner.logs(tenant.orgId()))) {
        done = done.compose(v -> partitions.ensure(owner, now, last).recover(Retention::unlessRaced));
      }
    }
    return done;
  }

  /** {@link #prepare}, then every expired month dropped; the names of the dropped tables. */
  public Future<List<String>> runOnce() {
    Instant now = clock.instant();
    List<String> dropped = new ArrayList<>();
    Future<Void> done = prepare();
    for (TenantConfig tenant : tenants) {
      int eventDays = config.eventsDays(tenant.name());
      int logDays = config.logsDays(tenant.name());
      if (eventDays > 0) {
        done = done.compose(v -> partitions.dropEndingBy(Partitions.Owner.events(tenant.locator()), now.minus(Duration.ofDays(eventDays))))
            .map(tables -> record(dropped, tables, droppedEvents, tenant));
      }
      if (logDays > 0) {
        done = done.compose(v -> partitions.dropEndingBy(Partitions.Owner.logs(tenant.orgId()), now.minus(Duration.ofDays(logDays))))
            .map(tables -> record(dropped, tables, droppedLogs, tenant));
      }
    }
    return done.map(dropped);
  }

  private static Void record(List<String> dropped, List<String> tables, Counter counter, TenantConfig tenant) {
    if (!tables.isEmpty()) {
      LOG.info("retention: dropped {} of tenant {}", tables, tenant.name());
      counter.increment(tables.size());
      dropped.addAll(tables);
    }
    return null;
  }

  /** Runs {@link #runOnce} every {@code retention.checkMinutes}; a failed run is logged and retried at the next. */
  public void start() {
    timer = vertx.setPeriodic(Duration.ofMinutes(config.checkMinutes()).toMillis(), id -> runOnce()
        .onFailure(failure -> LOG.warn("retention: this run failed, the next one retries: {}", failure.toString())));
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private static Future<Void> unlessRaced(Throwable failure) {
    return failure instanceof PgException pg && DUPLICATE_TABLE.equals(pg.getSqlState())
        ? Future.succeededFuture() : Future.failedFuture(failure);
  }
}
