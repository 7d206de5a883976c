package io.tidemark.gateway.delivery;

import io.tidemark.gateway.store.StoreErrors;
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

/** The subscription and delivery_attempt tables (migration V12). Every statement names the tenant. */
final class SubscriptionStore {

  private static final String INSERT = """
      INSERT INTO subscription (id, tenant_locator, url, types, description, secret, status, after_position)
      VALUES ($1, $2, $3, $4, $5, $6, 'active',
              coalesce((SELECT last_position FROM stream_head WHERE tenant_locator = $2), 0))
      RETURNING""" + " " + Subscription.COLUMNS;
  private static final String LIST = "SELECT " + Subscription.COLUMNS
      + " FROM subscription WHERE tenant_locator = $1 ORDER BY created_at, id LIMIT 1000";
  private static final String FIND = "SELECT " + Subscription.COLUMNS + " FROM subscription WHERE tenant_locator = $1 AND id = $2";
  // A subscription enabled again starts from where it stopped, its failure streak forgotten.
  private static final String UPDATE = """
      UPDATE subscription
         SET url = $3, types = $4, description = $5, status = $6,
             disabled_reason = CASE WHEN $6 = 'active' THEN NULL ELSE coalesce($7, disabled_reason) END,
             failing_since = CASE WHEN $6 = 'active' AND status = 'disabled' THEN NULL ELSE failing_since END,
             attempt = CASE WHEN $6 = 'active' AND status = 'disabled' THEN 0 ELSE attempt END,
             next_attempt_at = CASE WHEN $6 = 'active' AND status = 'disabled' THEN now() ELSE next_attempt_at END
       WHERE tenant_locator = $1 AND id = $2
      RETURNING""" + " " + Subscription.COLUMNS;
  private static final String ROTATE = """
      UPDATE subscription
         SET previous_secret = secret, previous_secret_until = now() + interval '24 hours', secret = $3
       WHERE tenant_locator = $1 AND id = $2
      RETURNING""" + " " + Subscription.COLUMNS;
  private static final String DELETE = "DELETE FROM subscription WHERE tenant_locator = $1 AND id = $2";
  private static final String REPLAY = """
      UPDATE subscription
         SET after_position = $3, attempt = 0, next_attempt_at = now(), failing_since = NULL
       WHERE tenant_locator = $1 AND id = $2""";
  /** The last position before {@code startTimestamp}: replay from a time sends the events at or after it. */
  private static final String POSITION_BEFORE = """
      SELECT coalesce((SELECT position FROM event WHERE tenant_locator = $1 AND recorded_at < $2
                        ORDER BY recorded_at DESC, position DESC LIMIT 1), 0)""";
  private static final String ATTEMPTS = """
      SELECT seq, event_locator, attempted_at, status_code, response_time_ms, response, error
        FROM delivery_attempt
       WHERE subscription_id = $1 AND seq < $2
       ORDER BY seq DESC LIMIT $3""";

  private final Pool pool;

  SubscriptionStore(Pool pool) {
    this.pool = pool;
  }

  Future<Subscription> create(UUID tenant, String url, List<String> types, String description, String secret) {
    return one(pool.preparedQuery(INSERT).execute(Tuple.of(UUID.randomUUID(), tenant, url, types.toArray(String[]::new),
        description, secret))).map(Optional::orElseThrow);
  }

  Future<List<Subscription>> list(UUID tenant) {
    return pool.preparedQuery(LIST).execute(Tuple.of(tenant)).map(rows -> {
      List<Subscription> all = new ArrayList<>();
      rows.forEach(r -> all.add(Subscription.from(r)));
      return all;
    }).recover(SubscriptionStore::translated);
  }

  Future<Optional<Subscription>> find(UUID tenant, UUID id) {
    return one(pool.preparedQuery(FIND).execute(Tuple.of(tenant, id)));
  }

  Future<Optional<Subscription>> update(UUID tenant, Subscription changed) {
    return one(pool.preparedQuery(UPDATE).execute(Tuple.from(List.of(tenant, changed.id(), changed.url()))
        .addArrayOfString(changed.types().toArray(String[]::new)).addString(changed.description())
        .addString(changed.status()).addString(changed.disabledReason())));
  }

  Future<Optional<Subscription>> rotate(UUID tenant, UUID id, String secret) {
    return one(pool.preparedQuery(ROTATE).execute(Tuple.of(tenant, id, secret)));
  }

  Future<Boolean> delete(UUID tenant, UUID id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(tenant, id)).map(rows -> rows.rowCount() == 1)
        .recover(SubscriptionStore::translated);
  }

  Future<Boolean> replayFrom(UUID tenant, UUID id, long afterPosition) {
    return pool.preparedQuery(REPLAY).execute(Tuple.of(tenant, id, afterPosition)).map(rows -> rows.rowCount() == 1)
        .recover(SubscriptionStore::translated);
  }

  Future<Long> positionBefore(UUID tenant, Instant start) {
    return pool.preparedQuery(POSITION_BEFORE).execute(Tuple.of(tenant, start.atOffset(ZoneOffset.UTC)))
        .map(rows -> rows.iterator().next().getLong(0)).recover(SubscriptionStore::translated);
  }

  /** One attempt as the API lists it. */
  record Attempt(long seq, String eventLocator, OffsetDateTime attemptedAt, Integer statusCode, int responseTimeMs,
      String response, String error) {}

  Future<List<Attempt>> attempts(UUID subscription, long beforeSeq, int limit) {
    return pool.preparedQuery(ATTEMPTS).execute(Tuple.of(subscription, beforeSeq, limit)).map(rows -> {
      List<Attempt> all = new ArrayList<>();
      for (Row r : rows) {
        all.add(new Attempt(r.getLong("seq"), r.getString("event_locator"), r.getOffsetDateTime("attempted_at"),
            r.getInteger("status_code"), r.getInteger("response_time_ms"), r.getString("response"), r.getString("error")));
      }
      return all;
    }).recover(SubscriptionStore::translated);
  }

  private static Future<Optional<Subscription>> one(Future<RowSet<Row>> rows) {
    return rows.map(r -> r.size() == 0 ? Optional.<Subscription>empty() : Optional.of(Subscription.from(r.iterator().next())))
        .recover(SubscriptionStore::translated);
  }

  private static <T> Future<T> translated(Throwable failure) {
    return Future.failedFuture(StoreErrors.forCaller(failure));
  }
}
