package io.tidemark.gateway.schedule;

import io.tidemark.gateway.store.BulkInsert;
import io.tidemark.gateway.store.StoreErrors;
import io.tidemark.gateway.store.StoreWrite;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The schedule and schedule_failure tables: what the endpoints list, what a firing and a resume
 * need, and the outbox the Quartz jobs are made from. A call's schedules and cancels are
 * {@link StoreWrite}s that commit with its events; the rest runs on its own.
 */
final class ScheduleStore {

  /**
   * @param repeatIntervalMillis {@code null} for a schedule that fires once
   * @param syncedAt when the outbox made its Quartz job (or deleted it, once cancelled); {@code null} until then
   * @param userLocator the user whose call made the schedule; its firings' events belong to that user
   */
  record ScheduleRow(String triggerName, UUID tenant, String policyLocator, String customEventId,
      String transactionLocator, JsonObject data, Instant startAt, Long repeatIntervalMillis, int repeatCount,
      OffsetDateTime completedAt, OffsetDateTime cancelledAt, OffsetDateTime syncedAt, UUID userLocator) {}

  /**
   * The user of a schedule made before schedules kept theirs (migration V7): a name-based
   * (version 3) UUID of {@code "tidemark-tenant:" + tenant locator}, stable and computable by users.
   */
  static UUID legacyUser(UUID tenant) {
    return UUID.nameUUIDFromBytes(("tidemark-tenant:" + tenant).getBytes(StandardCharsets.UTF_8));
  }

  record FailureRow(String triggerName, String triggerGroup, String state, int failureCount,
      OffsetDateTime createdAt, OffsetDateTime updatedAt) {}

  /**
   * One statement for all the schedules of a group commit, however many calls it holds: executed
   * once per row they paid the executor's start-up each, inside the stream's serial section.
   * {@code created_at} is the column's default, {@code clock_timestamp()}, so rows made in one
   * statement still follow the order they were asked for (and their names, time-ordered ids, too).
   */
  private static final BulkInsert INSERT = BulkInsert.into("schedule", "trigger_name text", "tenant_locator uuid",
      "policy_locator text", "custom_event_id text", "transaction_locator text", "data jsonb", "start_at timestamptz",
      "repeat_interval_ms int8", "repeat_count int4", "user_locator uuid");
  /** Unsynced again, so that the outbox deletes the Quartz job. */
  private static final String CANCEL = """
      UPDATE schedule SET cancelled_at = clock_timestamp(), synced_at = NULL
       WHERE tenant_locator = $1 AND trigger_name = $2 AND cancelled_at IS NULL""";
  private static final String CANCEL_FAILURE = "DELETE FROM schedule_failure WHERE tenant_locator = $1 AND trigger_name = $2";
  private static final String CANCELLABLE = """
      SELECT 1 FROM schedule
       WHERE tenant_locator = $1 AND trigger_name = $2 AND cancelled_at IS NULL AND completed_at IS NULL""";
  private static final String SCHEDULE_COLUMNS = "trigger_name, tenant_locator, policy_locator, custom_event_id, "
      + "transaction_locator, data, start_at, repeat_interval_ms, repeat_count, completed_at, cancelled_at, synced_at, user_locator";
  private static final String FIND = "SELECT " + SCHEDULE_COLUMNS + " FROM schedule WHERE tenant_locator = $1 AND trigger_name = $2";
  private static final String OF_POLICY = "SELECT " + SCHEDULE_COLUMNS
      + " FROM schedule WHERE tenant_locator = $1 AND policy_locator = $2 ORDER BY created_at, trigger_name";
  private static final String COMPLETE = "UPDATE schedule SET completed_at = clock_timestamp() WHERE trigger_name = $1";
  private static final String REOPEN = "UPDATE schedule SET completed_at = NULL WHERE trigger_name = $1";

  /** Records one more failure; the state follows from the count. Returns the new count. */
  private static final String FAIL = """
      INSERT INTO schedule_failure AS f (trigger_name, trigger_group, tenant_locator, policy_locator, state,
                                         failure_count, last_error, created_at, updated_at)
      VALUES ($1, $2, $3, $4, CASE WHEN 1 >= $5 THEN 'quit' ELSE 'queued' END, 1, $6, clock_timestamp(), clock_timestamp())
      ON CONFLICT (trigger_name) DO UPDATE
         SET failure_count = f.failure_count + 1,
             state = CASE WHEN f.failure_count + 1 >= $5 THEN 'quit' ELSE 'queued' END,
             last_error = excluded.last_error,
             updated_at = excluded.updated_at
      RETURNING failure_count""";
  private static final String CLEAR = "DELETE FROM schedule_failure WHERE trigger_name = $1";
  private static final String FAILURE = """
      SELECT trigger_name, trigger_group, state, failure_count, created_at, updated_at
        FROM schedule_failure WHERE tenant_locator = $1 AND trigger_name = $2""";
  private static final String FAILURE_COLUMNS =
      "SELECT trigger_name, trigger_group, state, failure_count, created_at, updated_at FROM schedule_failure WHERE tenant_locator = $1";
  private static final String ORDER = " ORDER BY created_at, trigger_name OFFSET $%d LIMIT $%d";

  private final Pool pool;

  ScheduleStore(Pool pool) {
    this.pool = pool;
  }

  /** A new schedule's row, to commit with the call that asked for it. */
  static StoreWrite insert(ScheduleRow s) {
    return INSERT.row(Tuple.from(List.of(s.triggerName(), s.tenant())).addValue(s.policyLocator())
        .addValue(s.customEventId()).addValue(s.transactionLocator()).addValue(s.data())
        .addValue(s.startAt().atOffset(ZoneOffset.UTC)).addValue(s.repeatIntervalMillis()).addValue(s.repeatCount())
        .addValue(s.userLocator()));
  }

  /** A schedule's cancel, and its failure record's removal, to commit with the call that asked for it. */
  static List<StoreWrite> cancel(UUID tenant, String triggerName) {
    return List.of(new StoreWrite(CANCEL, Tuple.of(tenant, triggerName)),
        new StoreWrite(CANCEL_FAILURE, Tuple.of(tenant, triggerName)));
  }

  /** A firing's success: no failure record left. */
  static StoreWrite clearFailureWrite(String triggerName) {
    return new StoreWrite(CLEAR, Tuple.of(triggerName));
  }

  /** A firing's success when nothing is left to fire. */
  static StoreWrite completeWrite(String triggerName) {
    return new StoreWrite(COMPLETE, Tuple.of(triggerName));
  }

  /** Whether the tenant has that schedule, neither cancelled nor complete. */
  Future<Boolean> cancellable(UUID tenant, String triggerName) {
    return run(pool.preparedQuery(CANCELLABLE).execute(Tuple.of(tenant, triggerName))).map(rows -> rows.size() > 0);
  }

  Future<Optional<ScheduleRow>> find(UUID tenant, String triggerName) {
    return run(pool.preparedQuery(FIND).execute(Tuple.of(tenant, triggerName)))
        .map(rows -> rows.size() == 0 ? Optional.<ScheduleRow>empty() : Optional.of(schedule(rows.iterator().next())));
  }

  Future<List<ScheduleRow>> ofPolicy(UUID tenant, String policyLocator) {
    return run(pool.preparedQuery(OF_POLICY).execute(Tuple.of(tenant, policyLocator))).map(rows -> {
      List<ScheduleRow> list = new ArrayList<>();
      rows.forEach(row -> list.add(schedule(row)));
      return list;
    });
  }

  Future<Void> reopen(String triggerName) {
    return run(pool.preparedQuery(REOPEN).execute(Tuple.of(triggerName))).mapEmpty();
  }

  Future<Integer> recordFailure(ScheduleRow s, int maxAttempts, String error) {
    return run(pool.preparedQuery(FAIL).execute(Tuple.of(s.triggerName(), s.tenant().toString(), s.tenant(),
            s.policyLocator(), maxAttempts, error)))
        .map(rows -> rows.iterator().next().getInteger("failure_count"));
  }

  Future<Void> clearFailure(String triggerName) {
    return run(pool.preparedQuery(CLEAR).execute(Tuple.of(triggerName))).mapEmpty();
  }

  Future<Optional<FailureRow>> failure(UUID tenant, String triggerName) {
    return run(pool.preparedQuery(FAILURE).execute(Tuple.of(tenant, triggerName)))
        .map(rows -> rows.size() == 0 ? Optional.<FailureRow>empty() : Optional.of(failure(rows.iterator().next())));
  }

  /** Failed jobs of a tenant: all, tenant events only, one policy's, or in one state. */
  Future<List<FailureRow>> failures(UUID tenant, Filter filter, String value, int offset, int count) {
    String where = switch (filter) {
      case ALL -> "";
      case TENANT_EVENTS -> " AND policy_locator IS NULL";
      case POLICY -> " AND policy_locator = $2";
      case STATE -> " AND state = $2";
    };
    Tuple params = Tuple.of(tenant);
    if (filter == Filter.POLICY || filter == Filter.STATE) {
      params.addString(value);
    }
    int next = params.size() + 1;
    params.addInteger(offset).addInteger(count);
    return run(pool.preparedQuery(FAILURE_COLUMNS + where + ORDER.formatted(next, next + 1)).execute(params)).map(rows -> {
      List<FailureRow> list = new ArrayList<>();
      rows.forEach(row -> list.add(failure(row)));
      return list;
    });
  }

  enum Filter { ALL, TENANT_EVENTS, POLICY, STATE }

  private static ScheduleRow schedule(Row row) {
    return new ScheduleRow(row.getString("trigger_name"), row.getUUID("tenant_locator"), row.getString("policy_locator"),
        row.getString("custom_event_id"), row.getString("transaction_locator"), (JsonObject) row.getValue("data"),
        row.getOffsetDateTime("start_at").toInstant(), row.getLong("repeat_interval_ms"), row.getInteger("repeat_count"),
        row.getOffsetDateTime("completed_at"), row.getOffsetDateTime("cancelled_at"), row.getOffsetDateTime("synced_at"),
        row.getUUID("user_locator") != null ? row.getUUID("user_locator") : legacyUser(row.getUUID("tenant_locator")));
  }

  private static FailureRow failure(Row row) {
    return new FailureRow(row.getString("trigger_name"), row.getString("trigger_group"), row.getString("state"),
        row.getInteger("failure_count"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
  }

  private static Future<RowSet<Row>> run(Future<RowSet<Row>> query) {
    return query.recover(failure -> Future.failedFuture(StoreErrors.forCaller(failure)));
  }
}
