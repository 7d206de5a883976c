package io.tidemark.gateway.stream;

import io.tidemark.gateway.store.StoreErrors;
import io.tidemark.gateway.store.StoredEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads of a tenant's stream. Every query is served by an index of {@code V1__event_store.sql}. */
final class StreamQueries {

  static final String BY_LOCATOR =
      "SELECT " + StoredEvent.COLUMNS + " FROM event WHERE tenant_locator = $1 AND locator = $2";

  /**
   * The most events {@code /events/request/{id}} answers: one call emits at most
   * {@code EventEmitter.MAX_EVENTS_PER_CALL} (1000), but clients choose request ids and may
   * reuse one across any number of calls. One more is read to tell that there were more.
   */
  static final int MAX_REQUEST_EVENTS = 1000;
  static final String BY_REQUEST = "SELECT " + StoredEvent.COLUMNS
      + " FROM event WHERE tenant_locator = $1 AND request_id = $2 ORDER BY position LIMIT " + (MAX_REQUEST_EVENTS + 1);

  /*
   * Timestamps never decrease along positions, so a time range is a position range. The two
   * sub-selects find its ends through event_by_time in one index probe each; the page itself is
   * then a plain range scan of the primary key (or of event_by_type), never of the whole stream.
   */
  private static final String PAGE_BOUNDS = """
      WITH bounds AS (
        SELECT greatest($2::bigint, coalesce(
                 (SELECT position FROM event
                   WHERE tenant_locator = $1 AND recorded_at < $3
                   ORDER BY recorded_at DESC, position DESC LIMIT 1), 0)) AS after_position,
               coalesce(
                 (SELECT position FROM event
                   WHERE tenant_locator = $1 AND recorded_at >= $4
                   ORDER BY recorded_at, position LIMIT 1), 9223372036854775807) AS before_position)
      """;

  static final String PAGE = PAGE_BOUNDS + """
      SELECT %s FROM event, bounds
       WHERE tenant_locator = $1 AND position > after_position AND position < before_position
       ORDER BY position LIMIT $5""".formatted(StoredEvent.COLUMNS);

  static final String PAGE_OF_TYPE = PAGE_BOUNDS + """
      SELECT %s FROM event, bounds
       WHERE tenant_locator = $1 AND type = $6 AND position > after_position AND position < before_position
       ORDER BY position LIMIT $5""".formatted(StoredEvent.COLUMNS);

  static final String NEWEST = "SELECT " + StoredEvent.COLUMNS
      + " FROM event WHERE tenant_locator = $1 ORDER BY position DESC LIMIT $2";

  static final String HEAD = "SELECT last_position FROM stream_head WHERE tenant_locator = $1";

  private final Pool pool;

  StreamQueries(Pool pool) {
    this.pool = pool;
  }

  Future<Optional<StoredEvent>> byLocator(UUID tenant, String locator) {
    return pool.preparedQuery(BY_LOCATOR).execute(Tuple.of(tenant, locator))
        .map(rows -> rows.size() == 0 ? Optional.<StoredEvent>empty() : Optional.of(StoredEvent.fromRow(rows.iterator().next())))
        .recover(StreamQueries::translated);
  }

  /** The tenant's last position: a live reader without a token starts after it. */
  Future<Long> head(UUID tenant) {
    return pool.preparedQuery(HEAD).execute(Tuple.of(tenant))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0))
        .recover(StreamQueries::translated);
  }

  Future<List<StoredEvent>> byRequest(UUID tenant, String requestId) {
    return pool.preparedQuery(BY_REQUEST).execute(Tuple.of(tenant, requestId))
        .map(StreamQueries::events)
        .recover(StreamQueries::translated);
  }

  /** The tenant's newest {@code limit} events, in stream order. */
  Future<List<StoredEvent>> newest(UUID tenant, int limit) {
    return pool.preparedQuery(NEWEST).execute(Tuple.of(tenant, limit))
        .map(rows -> {
          List<StoredEvent> events = new ArrayList<>(events(rows));
          java.util.Collections.reverse(events);
          return events;
        })
        .recover(StreamQueries::translated);
  }

  /** Up to {@code limit} events matching {@code filter} after {@code afterPosition}, in stream order. */
  Future<List<StoredEvent>> page(StreamFilter filter, long afterPosition, int limit) {
    Tuple params = Tuple.of(filter.tenant(), afterPosition, timestamp(filter.start()), timestamp(filter.end()), limit);
    String sql = filter.type().isPresent() ? PAGE_OF_TYPE : PAGE;
    filter.type().ifPresent(params::addString);
    return pool.preparedQuery(sql).execute(params)
        .map(StreamQueries::events)
        .recover(StreamQueries::translated);
  }

  private static OffsetDateTime timestamp(Optional<Instant> instant) {
    return instant.map(i -> i.atOffset(ZoneOffset.UTC)).orElse(null);
  }

  private static List<StoredEvent> events(RowSet<Row> rows) {
    List<StoredEvent> events = new ArrayList<>(rows.size());
    rows.forEach(row -> events.add(StoredEvent.fromRow(row)));
    return events;
  }

  private static <T> Future<T> translated(Throwable failure) {
    return Future.failedFuture(StoreErrors.forCaller(failure));
  }
}
