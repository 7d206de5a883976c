package io.tidemark.gateway.behavioral;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Poll;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two gateway instances on one schema: what one changes, the other (which has the definition
 * cached) uses within a second, told by Postgres NOTIFY rather than by the 30 s expiry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefinitionCacheTest {

  private static final String HOOK = WebhookIngestionTest.HOOK;
  private static final Duration WITHIN = Duration.ofSeconds(1);

  private TestGateway first;
  private TestGateway second;

  @BeforeAll
  void start() {
    first = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), DefinitionCacheTest.class);
    second = first.anotherInstance();
  }

  @AfterAll
  void stop() {
    try {
      second.close();
    } finally {
      first.close();
    }
  }

  @Test
  void a_change_or_deletion_on_one_instance_reaches_the_others_cache_within_a_second() {
    String name = unique("Changed");
    assertEquals(201, write(first, "POST", "/v2/events", definition(name, "[A-Z]{3}")).status());
    assertEquals(200, ingest(second, name, "ABC").status(), "the second instance loads it, and keeps it");
    assertEquals(422, ingest(second, name, "abc").status());

    assertEquals(200, write(first, "PUT", "/v2/events/" + name, definition(name, "[a-z]{3}")).status());
    Poll.within(WITHIN, () -> ingest(second, name, "abc").status() == 200 ? true : null, "the replaced regex on the second instance");

    assertEquals(200, write(first, "DELETE", "/v2/events/" + name, null).status());
    Poll.within(WITHIN, () -> status(ingest(second, name, "abc")).equals("INVALID_EVENT_NAME") ? true : null,
        "the deletion on the second instance");

    // The second instance now remembers that there is no such event; creating it tells it otherwise.
    assertEquals(201, write(first, "POST", "/v2/events", definition(name, "[0-9]{3}")).status());
    Poll.within(WITHIN, () -> ingest(second, name, "123").status() == 200 ? true : null, "the re-created event on the second instance");
  }

  @Test
  void an_instance_answers_from_its_cache_until_told_of_a_change() {
    String name = unique("Cached");
    long heard = second.gateway().definitions().announcementsHeard();
    assertEquals(201, write(first, "POST", "/v2/events", definition(name, "[A-Z]{3}")).status());
    // The creation's own announcement must not arrive after the read below: it would (rightly)
    // drop the entry just cached, and the silent change would then be read.
    Poll.until(() -> second.gateway().definitions().announcementsHeard() > heard ? true : null, "the creation announced");
    assertEquals(200, ingest(second, name, "ABC").status());

    // Behind the gateways' backs: no announcement, so the cached definition stays in use.
    updateSilently(name, "[a-z]{3}");
    assertEquals(200, ingest(second, name, "ABC").status(), "served from the cache, not read again");

    assertEquals(200, write(first, "PUT", "/v2/events/" + name, definition(name, "[0-9]{3}")).status());
    Poll.within(WITHIN, () -> ingest(second, name, "123").status() == 200 ? true : null, "the announced change");
  }

  @Test
  void after_losing_its_listening_connection_an_instance_drops_its_cache_and_listens_again() {
    String name = unique("Reconnect");
    assertEquals(201, write(first, "POST", "/v2/events", definition(name, "[A-Z]{3}")).status());
    assertEquals(200, ingest(second, name, "ABC").status());

    assertEquals(2, query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $name"));
    // A change it cannot have been told about: seen once the instance notices the loss, well before the 30 s expiry.
    updateSilently(name, "[a-z]{3}");
    Poll.within(Duration.ofSeconds(10), () -> ingest(second, name, "abc").status() == 200 ? true : null,
        "the silent change after the connection loss");

    Poll.until(() -> query("SELECT count(*) FROM pg_stat_activity WHERE application_name = $name") == 2
        && first.gateway().definitions().listening() && second.gateway().definitions().listening() ? true : null,
        "both instances listening again");
    assertEquals(200, write(first, "PUT", "/v2/events/" + name, definition(name, "[0-9]{3}")).status());
    Poll.within(WITHIN, () -> ingest(second, name, "123").status() == 200 ? true : null, "a change after the reconnection");
  }

  // ---- helpers

  private static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String definition(String name, String regex) {
    return new JsonObject().put("eventName", name).put("fields", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("name", "code").put("type", "string").put("attributes", new JsonObject().put("regex", regex))))
        .encode();
  }

  private static Response write(TestGateway gateway, String method, String path, String body) {
    Http.Request request = gateway.http().method(method, path).as("admin", "admin-secret");
    return (body == null ? request : request.body(body)).send();
  }

  private static Response ingest(TestGateway gateway, String name, String code) {
    String body = new JsonObject().put("event_name", name).put("code", code).encode();
    return WebhookIngestionTest.signedAt(gateway.http(), HOOK, WebhookIngestionTest.SECRET, body, "msg_" + UUID.randomUUID(),
        Instant.now().getEpochSecond()).send();
  }

  private static String status(Response r) {
    return r.json().getJsonObject("data").getString("status");
  }

  private void updateSilently(String name, String regex) {
    TestDatabase.execute("UPDATE " + first.config().database().schema() + ".event_definition SET definition = '"
        + definition(name, regex).replace("'", "''").replace("\"fields\"", "\"description\":\"\",\"actions\":[],\"fields\"")
        + "'::jsonb WHERE event_name = '" + name + "'");
  }

  /** A count from the test database; {@code $name} stands for the listening connections' application name. */
  private long query(String sql) {
    DatabaseUrl url = DatabaseUrl.parse(TestDatabase.url());
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
         PreparedStatement s = c.prepareStatement(sql.replace("$name", "left(?, 63)"))) {
      s.setString(1, "tidemark-listen-" + first.config().database().schema());
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
