package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.behavioral.DefinitionError.EVENT_NAME_EXISTS;
import static io.tidemark.gateway.behavioral.DefinitionError.EVENT_NOT_FOUND;

import io.tidemark.gateway.store.StoreErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Definitions per org. Every change writes its audit entry and announces itself
 * ({@code pg_notify}) in the same transaction, so that the announcement is sent exactly when
 * the change commits; other gateway instances drop their cached copy on hearing it.
 */
final class DefinitionStore {

  private static final String INSERT = """
      INSERT INTO event_definition (org_id, event_name, definition, updated_at)
      VALUES ($1, $2, $3, date_trunc('milliseconds', clock_timestamp()))
      ON CONFLICT (org_id, event_name) DO NOTHING
      RETURNING updated_at""";

  private static final String LOCK = """
      SELECT definition, updated_at FROM event_definition
       WHERE org_id = $1 AND event_name = $2 FOR UPDATE""";

  private static final String UPDATE = """
      UPDATE event_definition SET definition = $3, updated_at = date_trunc('milliseconds', clock_timestamp())
       WHERE org_id = $1 AND event_name = $2
      RETURNING updated_at""";

  private static final String DELETE = """
      DELETE FROM event_definition WHERE org_id = $1 AND event_name = $2
      RETURNING definition, updated_at""";

  private static final String AUDIT = """
      INSERT INTO event_definition_audit
             (id, org_id, event_name, updated_type, request_id, value_before, value_before_time, value_after, changed_on)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""";

  private static final String FIND = "SELECT definition FROM event_definition WHERE org_id = $1 AND event_name = $2";
  private static final String LIST = "SELECT definition FROM event_definition WHERE org_id = $1 ORDER BY event_name";

  private static final String AUDIT_LOG = """
      SELECT id, org_id, event_name, updated_type, request_id, value_before, value_before_time, value_after, changed_on
        FROM event_definition_audit
       WHERE org_id = $1 AND event_name = $2
       ORDER BY seq DESC
       LIMIT 1000""";

  // Delivered on commit, to every session listening on the channel; the payload names the definition.
  private static final String NOTIFY = "SELECT pg_notify($1, $2)";

  private final Pool pool;
  private final String channel;
  private final BiConsumer<Integer, String> committed;

  /**
   * @param channel where changes are announced (see {@link DefinitionCache#channel})
   * @param committed told of each change once it has committed, with the org and event name
   */
  DefinitionStore(Pool pool, String channel, BiConsumer<Integer, String> committed) {
    this.pool = pool;
    this.channel = channel;
    this.committed = committed;
  }

  Future<Definition> create(int orgId, Definition definition, String requestId) {
    return translated(pool.withTransaction(conn -> conn.preparedQuery(INSERT)
        .execute(Tuple.of(orgId, definition.eventName(), definition.toJson()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(EVENT_NAME_EXISTS.with("Event '" + definition.eventName() + "' already exists"));
          }
          return audit(conn, orgId, definition.eventName(), "CREATED", requestId, null, null,
              definition.toJson(), rows.iterator().next().getOffsetDateTime("updated_at"));
        })
        .compose(v -> announce(conn, orgId, definition.eventName()))
        .map(definition))
        .onSuccess(v -> committed.accept(orgId, definition.eventName())));
  }

  Future<Definition> replace(int orgId, Definition definition, String requestId) {
    return translated(pool.withTransaction(conn -> conn.preparedQuery(LOCK)
        .execute(Tuple.of(orgId, definition.eventName()))
        .compose(before -> {
          Row previous = single(before, definition.eventName());
          return conn.preparedQuery(UPDATE).execute(Tuple.of(orgId, definition.eventName(), definition.toJson()))
              .compose(updated -> audit(conn, orgId, definition.eventName(), "UPDATED", requestId,
                  (JsonObject) previous.getValue("definition"), previous.getOffsetDateTime("updated_at"),
                  definition.toJson(), updated.iterator().next().getOffsetDateTime("updated_at")));
        })
        .compose(v -> announce(conn, orgId, definition.eventName()))
        .map(definition))
        .onSuccess(v -> committed.accept(orgId, definition.eventName())));
  }

  Future<Void> delete(int orgId, String eventName, String requestId) {
    return translated(pool.withTransaction(conn -> conn.preparedQuery(DELETE)
        .execute(Tuple.of(orgId, eventName))
        .compose(deleted -> {
          Row previous = single(deleted, eventName);
          return conn.query("SELECT date_trunc('milliseconds', clock_timestamp()) AS now").execute()
              .compose(now -> audit(conn, orgId, eventName, "DELETED", requestId,
                  (JsonObject) previous.getValue("definition"), previous.getOffsetDateTime("updated_at"),
                  null, now.iterator().next().getOffsetDateTime("now")));
        })
        .compose(v -> announce(conn, orgId, eventName)))
        .onSuccess(v -> committed.accept(orgId, eventName)));
  }

  Future<Optional<Definition>> find(int orgId, String eventName) {
    return translated(pool.preparedQuery(FIND).execute(Tuple.of(orgId, eventName))
        .map(rows -> rows.size() == 0 ? Optional.<Definition>empty()
            : Optional.of(Definition.fromJson((JsonObject) rows.iterator().next().getValue("definition")))));
  }

  Future<List<Definition>> list(int orgId) {
    return translated(pool.preparedQuery(LIST).execute(Tuple.of(orgId)).map(rows -> {
      List<Definition> definitions = new ArrayList<>();
      rows.forEach(row -> definitions.add(Definition.fromJson((JsonObject) row.getValue("definition"))));
      return definitions;
    }));
  }

  /** Newest first; at most the last 1,000 changes of that event. */
  Future<List<Row>> auditLog(int orgId, String eventName) {
    return translated(pool.preparedQuery(AUDIT_LOG).execute(Tuple.of(orgId, eventName)).map(rows -> {
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    }));
  }

  private static Future<Void> audit(SqlConnection conn, int orgId, String eventName, String type, String requestId,
      JsonObject before, OffsetDateTime beforeTime, JsonObject after, OffsetDateTime changedOn) {
    return conn.preparedQuery(AUDIT)
        .execute(Tuple.from(List.of(UUID.randomUUID(), orgId, eventName, type, requestId)).addValue(before)
            .addValue(beforeTime).addValue(after).addValue(changedOn))
        .mapEmpty();
  }

  private Future<Void> announce(SqlConnection conn, int orgId, String eventName) {
    return conn.preparedQuery(NOTIFY).execute(Tuple.of(channel, orgId + ":" + eventName)).mapEmpty();
  }

  private static Row single(RowSet<Row> rows, String eventName) {
    if (rows.size() == 0) {
      throw EVENT_NOT_FOUND.with("No event named '" + eventName + "'");
    }
    return rows.iterator().next();
  }

  private static <T> Future<T> translated(Future<T> future) {
    return future.recover(failure -> Future.failedFuture(StoreErrors.forCaller(failure)));
  }
}
