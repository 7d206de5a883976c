package io.tidemark.gateway.store;

import com.github.f4b6a3.ulid.Ulid;
import com.github.f4b6a3.ulid.UlidFactory;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The events of one group commit, appended by one statement: it advances each tenant's
 * {@code stream_head} (taking its row lock until commit) and inserts the events at the positions
 * and with the timestamp the head just handed out. One statement, so the batch needs no answer
 * from the database before its inserts are sent: BEGIN, this, the batch's other writes and
 * COMMIT go in one round trip.
 *
 * <p>{@code starts} is MATERIALIZED so that a tenant's ULID time part is spelled once per batch:
 * inlined into the final join, its subquery ran once per event, a third of the statement's time
 * for a batch of 56 events of one tenant (docs/event-store.md).
 *
 * <p>Heads are locked in the database's UUID order ({@code ORDER BY tenant_locator}), the same in
 * every appender of every instance, so two batches that touch the same tenants cannot deadlock.
 *
 * <p>Locators are ULIDs: the time part (the first 10 characters) is the event's
 * {@code recorded_at} in milliseconds, written by the statement from the head's timestamp, so
 * it is exactly that time; the random part (16 characters) comes from here, one random start per
 * tenant and batch, incremented per event, so that the locators of one commit sort in stream order.
 */
final class EventBatch {

  private static final String APPEND = """
      WITH batch AS MATERIALIZED (
        SELECT * FROM unnest($1::uuid[], $2::int4[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[])
                 AS b(tenant_locator, n, random_part, user_locator, request_id, type, data)
      ), counts AS (
        SELECT tenant_locator, count(*) AS events FROM batch GROUP BY tenant_locator
      ), heads AS (
        INSERT INTO stream_head AS head (tenant_locator, last_position, last_timestamp)
        SELECT tenant_locator, events, date_trunc('milliseconds', clock_timestamp()) FROM counts ORDER BY tenant_locator
        ON CONFLICT (tenant_locator) DO UPDATE
           SET last_position  = head.last_position + excluded.last_position,
               last_timestamp = greatest(head.last_timestamp, excluded.last_timestamp)
        RETURNING tenant_locator, last_position, last_timestamp
      ), starts AS MATERIALIZED (
        SELECT h.tenant_locator, h.last_position - c.events AS before, h.last_timestamp,
               (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',
                         (((extract(epoch FROM h.last_timestamp) * 1000)::bigint >> (5 * (9 - i))) & 31)::int + 1, 1),
                       '' ORDER BY i)
                  FROM generate_series(0, 9) AS i) AS time_part
          FROM heads h JOIN counts c USING (tenant_locator)
      )
      INSERT INTO event (tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data)
      SELECT b.tenant_locator, s.before + b.n, s.time_part || b.random_part, b.user_locator, b.request_id,
             s.last_timestamp, b.type, b.data::jsonb
        FROM batch b JOIN starts s USING (tenant_locator)
      RETURNING tenant_locator, position, locator, recorded_at""";

  /** The columns of APPEND's RETURNING. */
  private static final int TENANT = 0;
  private static final int POSITION = 1;
  private static final int LOCATOR = 2;
  private static final int RECORDED_AT = 3;

  private static final UlidFactory RANDOM = UlidFactory.newInstance();

  private final List<AppendRequest> requests;
  /** Per request, its events' data as JSON text. */
  private final List<List<String>> data;
  /** Per tenant, the batch's events of that tenant in batch order: [request index, event index]. */
  private final Map<UUID, List<int[]>> slots = new HashMap<>();
  private final Tuple params;

  /**
   * @param data per request, its events' data as JSON text, made by the callers: the
   *     appender's thread spends nothing on JSON (a tenth of its time when it encoded)
   */
  EventBatch(List<AppendRequest> requests, List<List<String>> data) {
    this.requests = requests;
    this.data = data;
    List<UUID> tenants = new ArrayList<>();
    List<Integer> ns = new ArrayList<>();
    List<String> randomParts = new ArrayList<>();
    List<UUID> users = new ArrayList<>();
    List<String> requestIds = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<String> json = new ArrayList<>();
    Map<UUID, Ulid> lastRandom = new HashMap<>();
    for (int r = 0; r < requests.size(); r++) {
      AppendRequest request = requests.get(r);
      List<int[]> tenantSlots = slots.computeIfAbsent(request.tenantLocator(), t -> new ArrayList<>());
      for (int e = 0; e < request.events().size(); e++) {
        tenantSlots.add(new int[] {r, e});
        Ulid random = lastRandom.compute(request.tenantLocator(), (t, last) -> last == null ? RANDOM.create(0) : last.increment());
        NewEvent event = request.events().get(e);
        tenants.add(request.tenantLocator());
        ns.add(tenantSlots.size());
        randomParts.add(random.toString().substring(10));
        users.add(request.userLocator());
        requestIds.add(request.requestId());
        types.add(event.type());
        json.add(data.get(r).get(e));
      }
    }
    slots.values().removeIf(List::isEmpty);
    this.params = Tuple.of(tenants.toArray(UUID[]::new), ns.toArray(Integer[]::new), randomParts.toArray(String[]::new),
        users.toArray(UUID[]::new), requestIds.toArray(String[]::new), types.toArray(String[]::new),
        json.toArray(String[]::new));
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  /** Sends the statement; the result lists each request's stored events, in the requests' order. */
  Future<List<List<StoredEvent>>> send(SqlConnection conn) {
    if (isEmpty()) {
      return Future.succeededFuture(requests.stream().map(r -> List.<StoredEvent>of()).toList());
    }
    return conn.preparedQuery(APPEND).execute(params).map(rows -> {
      Map<UUID, Long> firstPosition = new HashMap<>();
      List<Row> all = new ArrayList<>();
      // By index, in RETURNING's order: a lookup by name is a linear search of the column names,
      // per row and column, on the thread that runs every commit.
      for (Row row : rows) {
        all.add(row);
        firstPosition.merge(row.getUUID(TENANT), row.getLong(POSITION), Math::min);
      }
      List<StoredEvent[]> stored = new ArrayList<>();
      requests.forEach(r -> stored.add(new StoredEvent[r.events().size()]));
      for (Row row : all) {
        UUID tenant = row.getUUID(TENANT);
        long position = row.getLong(POSITION);
        int[] slot = slots.get(tenant).get((int) (position - firstPosition.get(tenant)));
        AppendRequest request = requests.get(slot[0]);
        NewEvent event = request.events().get(slot[1]);
        Instant recordedAt = row.getOffsetDateTime(RECORDED_AT).toInstant();
        stored.get(slot[0])[slot[1]] = new StoredEvent(tenant, position, row.getString(LOCATOR), request.userLocator(),
            request.requestId(), recordedAt, event.type(), data.get(slot[0]).get(slot[1]));
      }
      return stored.stream().map(List::of).toList();
    });
  }
}
