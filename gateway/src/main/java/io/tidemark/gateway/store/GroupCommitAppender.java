package io.tidemark.gateway.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.gateway.config.StoreConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends calls' outcomes with group commit: the appends that arrive while a commit is in flight
 * (or within {@code lingerMillis} of the first one) share the next transaction, and each caller's
 * future completes when that transaction commits. An append carries a call's events and its
 * other writes (log entry, schedules), which commit in that same transaction.
 *
 * <p>Ordering: inside the transaction each tenant's {@code stream_head} row is upserted, which
 * locks it until commit. Positions and the timestamp are taken under that lock, so they follow
 * commit order across every appender on the database, also in other gateway instances. See
 * {@code docs/event-store.md}.
 *
 * <p>Isolation: when a shared transaction fails for any reason but an unreachable database, its
 * members are committed again one by one, so that a request whose data PostgreSQL refuses fails
 * alone ({@link StoreRefusedData}, or {@link StoreConflict} for a unique violation) and every
 * other member still commits.
 *
 * <p>All state is confined to this verticle's context; {@link #append} may be called from any thread.
 */
public final class GroupCommitAppender extends VerticleBase implements EventAppender {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitAppender.class);

  private final Pool pool;
  private final int maxBatchEvents;
  private final long lingerMillis;
  private final AppendMetrics metrics;
  private final String notifyChannel;

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean flushScheduled;
  private boolean committing;
  private boolean stopped;
  private Promise<Void> drained;

  public GroupCommitAppender(Pool pool, StoreConfig config) {
    this(pool, config, new SimpleMeterRegistry());
  }

  public GroupCommitAppender(Pool pool, StoreConfig config, MeterRegistry registry) {
    this(pool, config, registry, null);
  }

  /**
   * @param notifyChannel where each commit announces the tenants it appended to ({@code NOTIFY},
   *     delivered when it commits: live readers of every instance wake up); null announces nothing
   */
  public GroupCommitAppender(Pool pool, StoreConfig config, MeterRegistry registry, String notifyChannel) {
    this.notifyChannel = notifyChannel;
    this.metrics = new AppendMetrics(registry);
    this.pool = pool;
    this.maxBatchEvents = config.maxBatchEvents();
    this.lingerMillis = config.lingerMillis();
  }

  @Override
  public Future<List<StoredEvent>> append(AppendRequest request) {
    if (request.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (context == null) {
      return Future.failedFuture(new IllegalStateException("the appender is not deployed"));
    }
    // The events' JSON text is made here, on the caller's thread, not on the appender's: its
    // context runs every commit of this instance one after another, so what it spends per event
    // bounds the write rate (docs/event-store.md). A value that cannot be made JSON fails this
    // call alone, before it joins a batch.
    List<String> data;
    try {
      data = request.events().stream().map(event -> JsonText.string(event.data())).toList();
    } catch (RuntimeException unencodable) {
      return Future.failedFuture(unencodable);
    }
    Promise<List<StoredEvent>> promise = Promise.promise();
    Pending pending = new Pending(request, data, Vertx.currentContext(), promise);
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
      pending.complete(Future.failedFuture(new StoreUnavailable()));
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
    commitShared(batch).onComplete(done -> {
      committing = false;
      // Whatever queued up during the commit has waited long enough: no linger for it.
      if (!queue.isEmpty()) {
        flushScheduled = true;
        flush();
      } else {
        checkDrained();
      }
    });
  }

  /**
   * Commits the batch in one transaction and completes its members. If that fails while the
   * database is reachable, one member's data may be at fault: each is then committed on its own,
   * in queue order, and completes with its own result.
   */
  private Future<Void> commitShared(List<Pending> batch) {
    long started = System.nanoTime();
    return commit(batch).transform(result -> {
      long took = System.nanoTime() - started;
      if (result.succeeded()) {
        metrics.committed(batch.stream().map(Pending::request).toList(), took);
        List<List<StoredEvent>> stored = result.result();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).complete(Future.succeededFuture(stored.get(i)));
        }
        return Future.succeededFuture();
      }
      metrics.failed(took);
      // A unique violation (StoreConflict) is one member's, such as a webhook message delivered
      // twice at once: retried one by one like refused data. Only an unreachable database fails
      // the whole batch at once.
      if (batch.size() == 1 || StoreErrors.translate(result.cause()) instanceof StoreUnavailable) {
        Throwable failure = forCaller(result.cause());
        batch.forEach(p -> p.complete(Future.failedFuture(failure)));
        return Future.succeededFuture();
      }
      LOG.warn("a group commit of {} calls failed ({}); committing them one by one", batch.size(), result.cause().toString());
      metrics.split();
      Future<Void> each = Future.succeededFuture();
      for (Pending member : batch) {
        each = each.compose(v -> commitShared(List.of(member)));
      }
      return each;
    });
  }

  /** Data PostgreSQL refuses (SQLSTATE class 22 data exception, 23 constraint, 54 limit) is the request's own fault. */
  private static Throwable forCaller(Throwable failure) {
    if (failure instanceof PgException pg && pg.getSqlState() != null
        && !pg.getSqlState().equals("23505")
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23") || pg.getSqlState().startsWith("54"))) {
      return new StoreRefusedData(pg.getSqlState(), "The store refused this request's data: " + pg.getErrorMessage());
    }
    return StoreErrors.forCaller(failure);
  }

  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    int events = 0;
    while (!queue.isEmpty()) {
      // A call with writes but no events (an unauthorised webhook attempt's log entry) still costs a row.
      int size = Math.max(1, queue.peek().request().events().size());
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
    EventBatch events = new EventBatch(batch.stream().map(Pending::request).toList(),
        batch.stream().map(Pending::data).toList());
    // Two round trips: BEGIN, the events (positions taken in the same statement), the writes and
    // the notification are sent at once, and the connection runs them in that order; COMMIT goes
    // once all of them answered. The appender commits one batch at a time, so round trips, not
    // CPU, bound its rate, but COMMIT cannot be pipelined behind them: a statement the client
    // refuses to encode is never sent, the server sees no error, and a pipelined COMMIT would
    // commit the batch without it. A statement the server refuses aborts the transaction; either
    // way the batch ends in ROLLBACK and fails with the first failed statement's error.
    return pool.getConnection().compose(conn -> {
      Future<?> begin = conn.query("BEGIN").execute();
      Future<List<List<StoredEvent>>> stored;
      Future<Void> written;
      try {
        stored = events.send(conn);
        written = Future.join(writes(conn, batch), announce(conn, batch)).mapEmpty();
      } catch (RuntimeException bug) {
        // Never hand a connection back to the pool inside a transaction.
        return rollback(conn).transform(r -> Future.<List<List<StoredEvent>>>failedFuture(bug)).eventually(conn::close);
      }
      return Future.join(begin, stored, written).transform(done -> {
        for (Future<?> step : List.of(begin, stored, written)) {
          if (step.failed()) {
            return rollback(conn).transform(r -> Future.<List<List<StoredEvent>>>failedFuture(step.cause()));
          }
        }
        return conn.query("COMMIT").execute().compose(committed -> stored);
      }).eventually(conn::close);
    });
  }

  private static final String ANNOUNCE = "SELECT pg_notify($1, t) FROM unnest($2::text[]) AS t";

  /** One notification per tenant that got events, inside the transaction: sent only if it commits. */
  private Future<?> announce(SqlConnection conn, List<Pending> batch) {
    if (notifyChannel == null) {
      return Future.succeededFuture();
    }
    String[] tenants = batch.stream().map(Pending::request).filter(r -> !r.events().isEmpty())
        .map(r -> r.tenantLocator().toString()).distinct().toArray(String[]::new);
    return tenants.length == 0 ? Future.succeededFuture()
        : conn.preparedQuery(ANNOUNCE).execute(Tuple.tuple().addString(notifyChannel).addArrayOfString(tenants));
  }

  /** Ends a transaction that failed before COMMIT was sent; a broken connection is simply closed. */
  private static Future<?> rollback(SqlConnection conn) {
    return conn.query("ROLLBACK").execute().otherwiseEmpty();
  }

  /**
   * The batch's other writes, sent after its events: one statement per SQL text, in first-seen
   * order; the rows of a {@link BulkInsert} in one execution, other statements batched.
   */
  private static Future<Void> writes(SqlConnection conn, List<Pending> batch) {
    Map<String, List<StoreWrite>> bySql = new LinkedHashMap<>();
    for (Pending p : batch) {
      for (StoreWrite w : p.request().writes()) {
        bySql.computeIfAbsent(w.sql(), sql -> new ArrayList<>()).add(w);
      }
    }
    // Sent at once, not one after another's answer: the connection keeps them in this order.
    List<Future<?>> sent = new ArrayList<>();
    for (Map.Entry<String, List<StoreWrite>> statement : bySql.entrySet()) {
      List<StoreWrite> group = statement.getValue();
      List<Tuple> rows = group.stream().map(StoreWrite::params).toList();
      BulkInsert bulk = group.get(0).bulk();
      sent.add(bulk == null
          ? conn.preparedQuery(statement.getKey()).executeBatch(rows)
          : conn.preparedQuery(statement.getKey()).execute(bulk.arrays(rows)));
    }
    return Future.join(sent).transform(done -> {
      for (Future<?> f : sent) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture();
    });
  }

  /** @param data the JSON text of each of the request's events, in its order */
  private record Pending(AppendRequest request, List<String> data, Context caller, Promise<List<StoredEvent>> promise) {
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
