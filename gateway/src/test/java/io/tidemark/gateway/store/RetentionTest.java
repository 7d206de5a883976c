package io.tidemark.gateway.store;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.RetentionConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Retention by partition: the demo tenant keeps 30 days, the other tenant (the global default)
 * everything. Each tenant is given five events and two log entries of January 2025 before any
 * traffic, as a long-running deployment would have.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionTest {

  private static final YearMonth OLD = YearMonth.of(2025, 1);
  private static final int DEMO_ORG = 100737;
  private static final int OTHER_ORG = 200001;

  private TestGateway gateway;
  private Http http;
  private Pool pool;
  private final Map<UUID, List<String>> oldLocators = Map.of(DEMO_TENANT_ID, new ArrayList<>(), OTHER_TENANT_ID, new ArrayList<>());
  private static final UUID DEMO_TENANT_ID = UUID.fromString(DEMO_TENANT);
  private static final UUID OTHER_TENANT_ID = UUID.fromString(OTHER_TENANT);

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), RetentionTest.class, c -> c.withRetention(
        new RetentionConfig(null, null, null, null, Map.of("demo", new RetentionConfig.TenantRetention(30, 30)))));
    http = gateway.http();
    pool = gateway.gateway().pool();
    Partitions partitions = new Partitions(pool);
    for (UUID tenant : List.of(DEMO_TENANT_ID, OTHER_TENANT_ID)) {
      TestGateway.await(partitions.ensure(Partitions.Owner.events(tenant), OLD, OLD));
      for (int position = 1; position <= 5; position++) {
        String locator = com.github.f4b6a3.ulid.UlidCreator.getUlid().toString();
        oldLocators.get(tenant).add(locator);
        TestGateway.await(pool.preparedQuery("""
            INSERT INTO event (tenant_locator, position, locator, user_locator, request_id, recorded_at, type, data)
            VALUES ($1, $2, $3, NULL, 'old-request', timestamptz '2025-01-15T00:00:00Z' + $2 * interval '1 s', 'policy.issued', '{}')""")
            .execute(Tuple.of(tenant, position, locator)));
      }
      TestGateway.await(pool.preparedQuery("""
          INSERT INTO stream_head (tenant_locator, last_position, last_timestamp) VALUES ($1, 5, timestamptz '2025-01-15T00:01:00Z')
          ON CONFLICT (tenant_locator) DO UPDATE SET last_position = 5""").execute(Tuple.of(tenant)));
    }
    for (int org : List.of(DEMO_ORG, OTHER_ORG)) {
      TestGateway.await(partitions.ensure(Partitions.Owner.logs(org), OLD, OLD));
      TestGateway.await(pool.preparedQuery("""
          INSERT INTO event_log (id, org_id, parent_org_id, webhook_id, event_name, status, message, input_request,
                                 start_time, response_time_ms)
          SELECT gen_random_uuid(), $1, -1, 'hook', 'Old_Event', 'EVENT_SUCCESS', 'm', '{}', timestamptz '2025-01-20', 1
            FROM generate_series(1, 2)""").execute(Tuple.of(org)));
    }
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void every_tenant_has_partitions_for_this_month_and_the_coming_ones_in_both_tables() {
    YearMonth now = YearMonth.now(ZoneOffset.UTC);
    Partitions partitions = new Partitions(pool);
    for (Partitions.Owner owner : List.of(Partitions.Owner.events(DEMO_TENANT_ID), Partitions.Owner.events(OTHER_TENANT_ID),
        Partitions.Owner.logs(DEMO_ORG), Partitions.Owner.logs(OTHER_ORG))) {
      List<YearMonth> months = TestGateway.await(partitions.months(owner));
      assertTrue(months.containsAll(List.of(now, now.plusMonths(1), now.plusMonths(2))), owner + ": " + months);
    }
    // The events appended since start-up are in this month's partition, not in a default one.
    issuePolicy();
    long inDefault = TestGateway.await(pool.query("SELECT count(*) FROM event_default").execute()).iterator().next().getLong(0)
        + TestGateway.await(pool.query("SELECT count(*) FROM " + Partitions.Owner.events(DEMO_TENANT_ID).tableName() + "_default")
            .execute()).iterator().next().getLong(0);
    assertEquals(0, inDefault);
  }

  @Test
  void an_expired_month_is_dropped_and_a_token_into_it_continues_from_the_oldest_remaining_event() {
    issuePolicy();
    Response firstPage = list(DEMO_TENANT, "pageSize=2", "reader", "reader-secret");
    assertEquals(oldLocators.get(DEMO_TENANT_ID).subList(0, 2), locators(firstPage));
    String tokenIntoOldData = firstPage.json().getString("pagingToken");
    List<String> liveLocators = locators(list(DEMO_TENANT, "pageSize=1000", "reader", "reader-secret")).subList(5, 7);

    List<String> dropped = TestGateway.await(gateway.gateway().retention().runOnce());

    String demoMonth = Partitions.Owner.events(DEMO_TENANT_ID).monthName(OLD);
    String demoLogMonth = Partitions.Owner.logs(DEMO_ORG).monthName(OLD);
    assertTrue(dropped.contains(demoMonth) && dropped.contains(demoLogMonth), dropped.toString());
    assertFalse(TestGateway.await(new Partitions(pool).months(Partitions.Owner.events(DEMO_TENANT_ID))).contains(OLD));

    // The token pointed at position 2, now gone: the next page starts at the oldest event left.
    Response next = list(DEMO_TENANT, "pagingToken=" + tokenIntoOldData, "reader", "reader-secret");
    assertEquals(200, next.status(), next::toString);
    assertEquals(liveLocators, locators(next).subList(0, 2));
    assertEquals(404, http.get("/event/" + DEMO_TENANT + "/events/" + oldLocators.get(DEMO_TENANT_ID).get(0))
        .as("reader", "reader-secret").send().status());
    assertEquals(0, count("SELECT count(*) FROM event_log WHERE org_id = " + DEMO_ORG + " AND event_name = 'Old_Event'"));

    // The other tenant keeps everything (the default): its January is still there.
    assertEquals(oldLocators.get(OTHER_TENANT_ID), locators(list(OTHER_TENANT, "pageSize=5", "other", "other-secret")));
    assertEquals(2, count("SELECT count(*) FROM event_log WHERE org_id = " + OTHER_ORG + " AND event_name = 'Old_Event'"));
    // A second run has nothing left to drop.
    assertEquals(List.of(), TestGateway.await(gateway.gateway().retention().runOnce()));
  }

  private long count(String sql) {
    return TestGateway.await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  private void issuePolicy() {
    Response r = http.post("/policy/" + DEMO_TENANT + "/policies").as("admin", "admin-secret")
        .body("{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":10}")
        .send();
    assertEquals(201, r.status(), r::toString);
  }

  private Response list(String tenant, String query, String user, String password) {
    return http.get("/event/" + tenant + "/events/list?" + query).as(user, password).send();
  }

  private static List<String> locators(Response page) {
    JsonArray events = page.json().getJsonArray("events");
    List<String> locators = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      locators.add(events.getJsonObject(i).getString("locator"));
    }
    return locators;
  }
}
