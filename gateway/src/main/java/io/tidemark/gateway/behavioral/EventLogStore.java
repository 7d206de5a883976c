package io.tidemark.gateway.behavioral;

import io.tidemark.gateway.store.BulkInsert;
import io.tidemark.gateway.store.StoreErrors;
import io.tidemark.gateway.store.StoreWrite;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The processing log: one row per ingestion attempt, read newest first with keyset paging. */
final class EventLogStore {

  private static final BulkInsert INSERT = BulkInsert.into("event_log", "id uuid", "org_id int4", "parent_org_id int4",
      "webhook_id text", "event_name text", "status text", "message text", "input_request text",
      "start_time timestamptz", "response_time_ms int4");

  private final Pool pool;

  EventLogStore(Pool pool) {
    this.pool = pool;
  }

  /** The entry's insert, to commit with the attempt's events in one transaction. */
  static StoreWrite insert(LogEntry e) {
    Tuple row = Tuple.from(List.of(e.id(), e.orgId(), e.parentOrgId(), e.webhookId()))
        .addValue(e.eventName()).addValue(e.status()).addValue(e.message()).addValue(e.inputRequest())
        .addValue(e.startTime().atOffset(ZoneOffset.UTC)).addValue(e.responseTimeMs());
    return INSERT.row(row);
  }

  /** A page of the log, newest first. */
  record Query(int orgId, Optional<String> eventName, Optional<String> status, Optional<Instant> from,
      Optional<Instant> toExclusive, Optional<Instant> beforeTime, long beforeSeq, int limit) {}

  /** The statement a page runs: its text and its parameters. */
  record Select(String sql, List<Object> params) {}

  /**
   * The conditions of the filters present, each a fixed fragment: a plain {@code col = $n} lets
   * the (generic) plan use the index of that filter, where {@code $n IS NULL OR col = $n} would not.
   */
  static Select select(Query q) {
    List<Object> params = new ArrayList<>();
    params.add(q.orgId());
    StringBuilder sql = new StringBuilder("SELECT " + LogEntry.COLUMNS + " FROM event_log WHERE org_id = $1");
    q.eventName().ifPresent(name -> condition(sql, params, "event_name = $", name));
    q.status().ifPresent(status -> condition(sql, params, "status = $", status));
    q.from().ifPresent(from -> condition(sql, params, "start_time >= $", at(from)));
    q.toExclusive().ifPresent(to -> condition(sql, params, "start_time < $", at(to)));
    q.beforeTime().ifPresent(time -> {
      params.add(at(time));
      params.add(q.beforeSeq());
      sql.append(" AND (start_time, seq) < ($").append(params.size() - 1).append(", $").append(params.size()).append(")");
    });
    params.add(q.limit());
    sql.append(" ORDER BY start_time DESC, seq DESC LIMIT $").append(params.size());
    return new Select(sql.toString(), params);
  }

  Future<List<LogEntry>> page(Query q) {
    Select select = select(q);
    return pool.preparedQuery(select.sql()).execute(Tuple.from(select.params()))
        .map(rows -> {
          List<LogEntry> entries = new ArrayList<>();
          rows.forEach(row -> entries.add(LogEntry.fromRow(row)));
          return entries;
        })
        .recover(failure -> Future.failedFuture(StoreErrors.forCaller(failure)));
  }

  private static void condition(StringBuilder sql, List<Object> params, String fragment, Object value) {
    params.add(value);
    sql.append(" AND ").append(fragment).append(params.size());
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
