package io.tidemark.gateway.store;

import com.github.f4b6a3.ulid.UlidFactory;
import io.tidemark.gateway.config.StoreConfig;
import io.tidemark.gateway.http.ApiException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Appends events with group commit: the appends that arrive while a commit is in flight (or
 * within {@code lingerMillis} of the first one) share the next transaction, and each caller's
 * future completes when that transaction commits.
 *
 * <p>Ordering: inside the transaction each tenant's {@code stream_head} row is upserted, which
 * locks it until commit. Positions and the timestamp are taken under that lock, so they follow
 * commit order across every appender on the database, also in other gateway instances. See
 * {@code docs/event-store.md}.
 *
 * <p>All state is confined to this verticle's context; {@link #append} may be called from any thread.
 */
public final class GroupCommitAppender extends VerticleBase implements EventAppender {

  private static final String ADVANCE_HEAD = """
      INSERT INTO stream_head AS head (tenant_locator, last_position, last_timestamp)
      VALUES ($1, $2, date_trunc('milliseconds', clock_timestamp()))
      ON CONFLICT (tenant_locator) DO UPDATE
         SET last_position  = head.last_position + excluded.last_position,
             last_timestamp = greatest(head.last_timestamp, excluded.last_timestamp)
      RETURNING last_position, last_timestamp""";

  private static final String INSERT_EVENT = """
      INSERT INTO event (tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""";

  private final Pool pool;
  private final int maxBatchEvents;
  private final long lingerMillis;
  // Monotonic within a millisecond, so locators of one commit sort in stream order.
  private final UlidFactory ulids = UlidFactory.newMonotonicInstance();

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean flushScheduled;
  private boolean committing;
  private boolean stopped;
  private Promise<Void> drained;

  public GroupCommitAppender(Pool pool, StoreConfig config) {
    this.pool = pool;
    this.maxBatchEvents = config.maxBatchEvents();
    this.lingerMillis = config.lingerMillis();
  }

  @Override
  public Future<List<StoredEvent>> append(AppendRequest request) {
    if (request.events().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (context == null) {
      return Future.failedFuture(new IllegalStateException("the appender is not deployed"));
    }
    Promise<List<StoredEvent>> promise = Promise.promise();
    Pending pending = new Pending(request, Vertx.currentContext(), promise);
    context.runOnContext(v -> enqueue(pending));
    return promise.future();
  }

  /** Completes once every append accepted so far has committed or failed. */
  @Override
  public Future<?> stop() {
    drained = Promise.promise();
    checkDrained();
    return drained.future().onComplete(v -> stopped = true);
  }

  private void enqueue(Pending pending) {
    if (stopped) {
      pending.complete(Future.failedFuture(ApiException.storeUnavailable()));
      return;
    }
    queue.add(pending);
    if (!committing && !flushScheduled) {
      flushScheduled = true;
      if (lingerMillis == 0) {
        context.runOnContext(v -> flush());
      } else {
        vertx.setTimer(lingerMillis, id -> flush());
      }
    }
  }

  private void flush() {
    flushScheduled = false;
    if (queue.isEmpty()) {
      checkDrained();
      return;
    }
    List<Pending> batch = takeBatch();
    committing = true;
    commit(batch).onComplete(result -> {
      committing = false;
      if (result.succeeded()) {
        List<List<StoredEvent>> stored = result.result();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).complete(Future.succeededFuture(stored.get(i)));
        }
      } else {
        Throwable failure = StoreErrors.forCaller(result.cause());
        batch.forEach(p -> p.complete(Future.failedFuture(failure)));
      }
      // Whatever queued up during the commit has waited long enough: no linger for it.
      if (!queue.isEmpty()) {
        flushScheduled = true;
        flush();
      } else {
        checkDrained();
      }
    });
  }

  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    int events = 0;
    while (!queue.isEmpty()) {
      int size = queue.peek().request().events().size();
      if (!batch.isEmpty() && events + size > maxBatchEvents) {
        break;
      }
      batch.add(queue.poll());
      events += size;
    }
    return batch;
  }

  private void checkDrained() {
    if (drained != null && queue.isEmpty() && !committing && !flushScheduled) {
      drained.tryComplete();
    }
  }

  /** One transaction for the whole batch; the result lists each pending append's stored events. */
  private Future<List<List<StoredEvent>>> commit(List<Pending> batch) {
    // Locks are taken in one global order (Java's UUID order) by every appender, so two
    // transactions that touch the same tenants cannot deadlock.
    Map<UUID, Integer> countByTenant = new TreeMap<>();
    for (Pending p : batch) {
      countByTenant.merge(p.request().tenantLocator(), p.request().events().size(), Integer::sum);
    }
    List<Tuple> heads = new ArrayList<>();
    countByTenant.forEach((tenant, count) -> heads.add(Tuple.of(tenant, count)));

    return pool.withTransaction(conn -> conn.preparedQuery(ADVANCE_HEAD).executeBatch(heads)
        .compose(rows -> insert(conn, batch, firstPositions(rows, countByTenant))));
  }

  private static Map<UUID, Head> firstPositions(RowSet<Row> rows, Map<UUID, Integer> countByTenant) {
    Map<UUID, Head> heads = new HashMap<>();
    RowSet<Row> current = rows;
    for (Map.Entry<UUID, Integer> tenant : countByTenant.entrySet()) {
      Row row = current.iterator().next();
      long last = row.getLong("last_position");
      Instant timestamp = row.getOffsetDateTime("last_timestamp").toInstant();
      heads.put(tenant.getKey(), new Head(last - tenant.getValue() + 1, timestamp));
      current = current.next();
    }
    return heads;
  }

  private Future<List<List<StoredEvent>>> insert(SqlConnection conn, List<Pending> batch, Map<UUID, Head> heads) {
    List<Tuple> rows = new ArrayList<>();
    List<List<StoredEvent>> result = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      AppendRequest request = p.request();
      Head head = heads.get(request.tenantLocator());
      OffsetDateTime recordedAt = head.timestamp().atOffset(ZoneOffset.UTC);
      List<StoredEvent> stored = new ArrayList<>(request.events().size());
      for (NewEvent event : request.events()) {
        StoredEvent e = new StoredEvent(
            request.tenantLocator(), head.next++, ulids.create(head.timestamp().toEpochMilli()).toString(),
            request.userLocator(), request.requestId(), head.timestamp(), event.type(), event.data());
        stored.add(e);
        rows.add(Tuple.of(e.tenantLocator(), e.position(), e.locator(), e.userLocator(), e.requestId(),
            recordedAt, e.type(), e.data()));
      }
      result.add(stored);
    }
    return conn.preparedQuery(INSERT_EVENT).executeBatch(rows).map(done -> result);
  }

  private static final class Head {
    long next;
    final Instant timestamp;

    Head(long next, Instant timestamp) {
      this.next = next;
      this.timestamp = timestamp;
    }

    Instant timestamp() {
      return timestamp;
    }
  }

  private record Pending(AppendRequest request, Context caller, Promise<List<StoredEvent>> promise) {
    /** Completes on the caller's context, so its continuation runs where its request lives. */
    void complete(AsyncResult<List<StoredEvent>> result) {
      if (caller == null) {
        promise.handle(result);
      } else {
        caller.runOnContext(v -> promise.handle(result));
      }
    }
  }
}
