package io.tidemark.gateway.behavioral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http;
import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.TestDatabase;
import io.tidemark.gateway.TestGateway;
import io.tidemark.gateway.config.BehavioralConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** /v2/events definitions and their audit log, on the shipped config. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefinitionsApiTest {

  private TestGateway gateway;
  private Http http;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), DefinitionsApiTest.class);
    http = gateway.http();
    // Lets a test make the audit insert fail, to prove the definition change rolls back with it.
    TestDatabase.execute("ALTER TABLE " + gateway.config().database().schema()
        + ".event_definition_audit ADD CONSTRAINT test_refuses CHECK (request_id <> 'refuse-audit')");
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  static JsonObject groupUserEvent(String name) {
    return new JsonObject("""
        {"eventName": "%s", "description": "user joined a group",
         "actions": ["customer-identification", "group-membership"],
         "fields": [{"name": "String", "type": "string"},
                    {"name": "enum", "type": "enum", "attributes": {"enumValues": ["customerUserGroup", "premiumUserGroup"]}},
                    {"name": "customer", "type": "customer", "attributes": {"identifierType": "mobile"}}]}
        """.formatted(name));
  }

  @Test
  void a_definition_is_created_read_listed_replaced_and_deleted_with_an_audit_entry_each() {
    String name = unique("Group_User_Event");
    JsonObject definition = groupUserEvent(name);

    Response created = admin(http.post("/v2/events")).header("X-Request-Id", "create-" + name).body(definition.encode()).send();
    assertEquals(201, created.status(), created::toString);
    assertEquals(new JsonObject().put("data", definition).put("warnings", new JsonArray()).put("errors", new JsonArray()),
        created.json());
    assertEquals(definition, admin(http.get("/v2/events/" + name)).send().json().getJsonObject("data"));
    assertTrue(admin(http.get("/v2/events")).send().json().getJsonArray("data").contains(definition));

    JsonObject replacement = definition.copy().put("description", "replaced").put("actions", new JsonArray());
    Response replaced = admin(http.method("PUT", "/v2/events/" + name)).header("X-Request-Id", "update-" + name)
        .body(replacement.encode()).send();
    assertEquals(200, replaced.status(), replaced::toString);
    assertEquals(replacement, admin(http.get("/v2/events/" + name)).send().json().getJsonObject("data"));

    Response deleted = admin(http.method("DELETE", "/v2/events/" + name)).header("X-Request-Id", "delete-" + name).send();
    assertEquals(200, deleted.status(), deleted::toString);
    Response gone = admin(http.get("/v2/events/" + name)).send();
    assertEquals(404, gone.status());
    assertEquals(1009, gone.json().getJsonArray("errors").getJsonObject(0).getInteger("code"));

    JsonArray audit = auditLog(name);
    assertEquals(3, audit.size(), audit::encode);
    JsonObject delete = audit.getJsonObject(0);
    JsonObject update = audit.getJsonObject(1);
    JsonObject create = audit.getJsonObject(2);
    assertEquals(java.util.List.of("DELETED", "UPDATED", "CREATED"),
        java.util.List.of(delete.getString("updatedType"), update.getString("updatedType"), create.getString("updatedType")));
    assertEquals(java.util.List.of("delete-" + name, "update-" + name, "create-" + name),
        java.util.List.of(delete.getString("requestId"), update.getString("requestId"), create.getString("requestId")));
    for (int i = 0; i < 3; i++) {
      JsonObject entry = audit.getJsonObject(i);
      assertEquals(java.util.Set.of("id", "orgId", "eventName", "updatedType", "requestId", "valueHistory"), entry.fieldNames());
      assertEquals(100737, entry.getInteger("orgId"));
      assertEquals(name, entry.getString("eventName"));
    }
    String id = create.getString("id");
    assertEquals(java.util.List.of(id, id), java.util.List.of(update.getString("id"), delete.getString("id")),
        "one id per event name");
    assertEquals(DefinitionRoutes.eventNameId(100737, name).toString(), id);
    // created: [new]; updated: [old, new]; deleted: [old, ""]
    assertEquals(1, create.getJsonArray("valueHistory").size());
    assertEquals(definition, new JsonObject(create.getJsonArray("valueHistory").getJsonObject(0).getString("value")));
    JsonArray updateHistory = update.getJsonArray("valueHistory");
    assertEquals(definition, new JsonObject(updateHistory.getJsonObject(0).getString("value")));
    assertEquals(replacement, new JsonObject(updateHistory.getJsonObject(1).getString("value")));
    assertEquals(create.getJsonArray("valueHistory").getJsonObject(0).getString("changedOn"),
        updateHistory.getJsonObject(0).getString("changedOn"), "the old value's changedOn is when it was set");
    JsonArray deleteHistory = delete.getJsonArray("valueHistory");
    assertEquals(replacement, new JsonObject(deleteHistory.getJsonObject(0).getString("value")));
    assertEquals("", deleteHistory.getJsonObject(1).getValue("value"), "a string, never null");
    assertNotNull(deleteHistory.getJsonObject(1).getString("changedOn"));
  }

  @Test
  void the_audit_id_is_one_per_event_name_and_org_and_survives_a_re_create() {
    String name = unique("Stable_Id");
    assertEquals(201, admin(http.post("/v2/events")).body(groupUserEvent(name).encode()).send().status());
    assertEquals(200, admin(http.method("DELETE", "/v2/events/" + name)).send().status());
    assertEquals(201, admin(http.post("/v2/events")).body(groupUserEvent(name).encode()).send().status());
    JsonArray audit = auditLog(name);
    assertEquals(3, audit.size(), audit::encode);
    java.util.Set<String> ids = new java.util.HashSet<>();
    audit.forEach(entry -> ids.add(((JsonObject) entry).getString("id")));
    assertEquals(1, ids.size(), audit::encode);
    UUID.fromString(ids.iterator().next());

    String other = unique("Other_Id");
    assertEquals(201, admin(http.post("/v2/events")).body(groupUserEvent(other).encode()).send().status());
    assertNotEquals(ids.iterator().next(), auditLog(other).getJsonObject(0).getString("id"), "another name, another id");
    assertEquals(201, http.post("/v2/events").as("other", "other-secret").body(groupUserEvent(name).encode()).send().status());
    Response otherOrg = http.get("/v2/events/audit_logs?eventName=" + name).as("other", "other-secret").send();
    assertEquals(200, otherOrg.status(), otherOrg::toString);
    assertNotEquals(ids.iterator().next(), otherOrg.json().getJsonArray("data").getJsonObject(0).getString("id"),
        "the same name in another org, another id");
  }

  @Test
  void a_duplicate_name_is_409_and_unknown_names_are_404() {
    String name = unique("Dup");
    assertEquals(201, admin(http.post("/v2/events")).body(groupUserEvent(name).encode()).send().status());
    assertError(admin(http.post("/v2/events")).body(groupUserEvent(name).encode()).send(), 409, 1002, "already exists");
    assertError(admin(http.method("PUT", "/v2/events/Nope_" + name)).body(groupUserEvent("Nope_" + name).encode()).send(),
        404, 1009, "No event named");
    assertError(admin(http.method("DELETE", "/v2/events/Nope_" + name)).send(), 404, 1009, "No event named");
    assertError(admin(http.method("PUT", "/v2/events/" + name)).body(groupUserEvent("Other").encode()).send(),
        400, 1008, "cannot be renamed");
    assertEquals(0, auditLog("Nope_" + name).size(), "no audit entry for what did not happen");
    assertEquals(1, auditLog(name).size());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "invalid name        | 1001 | {\"eventName\": \"bad name!\"}",
      "reserved name       | 1001 | {\"eventName\": \"logs\"}",
      "name too long       | 1001 | {\"eventName\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
      "invalid field type  | 1003 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"uuid\"}]}",
      "enum without values | 1004 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"enum\"}]}",
      "values on a string  | 1004 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"string\", \"attributes\": {\"enumValues\": [\"x\"]}}]}",
      "regex on a number   | 1004 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"number\", \"attributes\": {\"regex\": \"x\"}}]}",
      "broken regex        | 1004 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"string\", \"attributes\": {\"regex\": \"(\"}}]}",
      "isRequired a string | 1004 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"string\", \"attributes\": {\"isRequired\": \"yes\"}}]}",
      "unknown attribute   | 1004 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"string\", \"attributes\": {\"min\": 1}}]}",
      "duplicate field     | 1005 | {\"eventName\": \"X_NAME\", \"fields\": [{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"a\", \"type\": \"number\"}]}",
      "unknown action      | 1006 | {\"eventName\": \"X_NAME\", \"actions\": [\"no-such-processor\"]}",
      "malformed JSON      | 1007 | {\"eventName\": ",
      "not an object       | 1007 | [1, 2]",
      "unknown key         | 1007 | {\"eventName\": \"X_NAME\", \"colour\": \"red\"}",
      "fields not an array | 1007 | {\"eventName\": \"X_NAME\", \"fields\": {}}"})
  void a_bad_definition_is_400_with_its_documented_code_and_changes_nothing(String label, int code, String body) {
    String name = unique("X");
    List<Long> before = rowCounts();
    Response r = admin(http.post("/v2/events")).body(body.replace("X_NAME", name)).send();
    assertError(r, 400, code, "");
    // Counted in the whole schema: most of these bodies name no definition one could look up.
    assertEquals(before, rowCounts(), "no definition and no audit entry was written");
    assertEquals(404, admin(http.get("/v2/events/" + name)).send().status());
  }

  /** Rows of definitions and of audit entries, in this class's schema. */
  private List<Long> rowCounts() {
    Row row = TestGateway.await(gateway.gateway().pool().query(
        "SELECT (SELECT count(*) FROM event_definition) AS d, (SELECT count(*) FROM event_definition_audit) AS a")
        .execute()).iterator().next();
    return List.of(row.getLong("d"), row.getLong("a"));
  }

  @Test
  void when_the_audit_entry_cannot_be_written_the_definition_does_not_change_either() {
    String name = unique("Atomic");
    Response refused = admin(http.post("/v2/events")).header("X-Request-Id", "refuse-audit").body(groupUserEvent(name).encode()).send();
    assertEquals(500, refused.status(), refused::toString);
    assertEquals(404, admin(http.get("/v2/events/" + name)).send().status());

    assertEquals(201, admin(http.post("/v2/events")).body(groupUserEvent(name).encode()).send().status());
    JsonObject changed = groupUserEvent(name).put("description", "changed");
    assertEquals(500, admin(http.method("PUT", "/v2/events/" + name)).header("X-Request-Id", "refuse-audit").body(changed.encode()).send().status());
    assertEquals(500, admin(http.method("DELETE", "/v2/events/" + name)).header("X-Request-Id", "refuse-audit").send().status());
    assertEquals(groupUserEvent(name), admin(http.get("/v2/events/" + name)).send().json().getJsonObject("data"));
    assertEquals(1, auditLog(name).size(), "only the successful create is audited");
  }

  @Test
  void definitions_belong_to_the_callers_org() {
    String name = unique("Shared_Name");
    assertEquals(201, admin(http.post("/v2/events")).body(groupUserEvent(name).encode()).send().status());
    assertEquals(404, http.get("/v2/events/" + name).as("other", "other-secret").send().status());
    Response otherCreate = http.post("/v2/events").as("other", "other-secret").body(groupUserEvent(name).encode()).send();
    assertEquals(201, otherCreate.status(), otherCreate::toString);
    assertEquals(1, auditLog(name).size(), "org 100737 sees only its own change");
  }

  @Test
  void changes_need_event_definitions_write_and_the_audit_log_customer_group_write() {
    String name = unique("Guarded");
    assertEquals(401, http.post("/v2/events").body(groupUserEvent(name).encode()).send().status());
    Response reader = http.post("/v2/events").as("reader", "reader-secret").body(groupUserEvent(name).encode()).send();
    assertEquals(403, reader.status());
    assertEquals(403, reader.json().getJsonArray("errors").getJsonObject(0).getInteger("code"));
    assertEquals(403, http.get("/v2/events/audit_logs?eventName=" + name).as("reader", "reader-secret").send().status());
    assertEquals(404, admin(http.get("/v2/events/" + name)).send().status());
  }

  @Test
  void the_audit_log_takes_json_in_any_case_only_and_needs_an_event_name() {
    String name = unique("Format");
    assertEquals(201, admin(http.post("/v2/events")).body(groupUserEvent(name).encode()).send().status());
    for (String format : java.util.List.of("json", "JSON", "Json")) {
      Response r = admin(http.get("/v2/events/audit_logs?eventName=" + name + "&format=" + format)).send();
      assertEquals(200, r.status(), r::toString);
      assertEquals(1, r.json().getJsonArray("data").size(), r::toString);
    }
    Response xml = admin(http.get("/v2/events/audit_logs?eventName=X&format=xml")).send();
    assertEquals(400, xml.status());
    assertTrue(xml.json().getJsonArray("errors").getJsonObject(0).getString("message").startsWith("Invalid parameter 'format'"));
    Response noName = admin(http.get("/v2/events/audit_logs?format=json")).send();
    assertEquals(400, noName.status());
    assertTrue(noName.json().getJsonArray("errors").getJsonObject(0).getString("message").startsWith("Invalid parameter 'eventName'"));
  }

  @Test
  void the_audit_log_is_rate_limited_per_user_with_retry_after() {
    try (TestGateway limited = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), DefinitionsApiTest.class,
        c -> c.withBehavioral(new BehavioralConfig(3)))) {
      Http h = limited.http();
      for (int i = 0; i < 3; i++) {
        assertEquals(200, h.get("/v2/events/audit_logs?eventName=A").as("admin", "admin-secret").send().status());
      }
      Response limitedResponse = h.get("/v2/events/audit_logs?eventName=A").as("admin", "admin-secret").send();
      assertEquals(429, limitedResponse.status());
      int retryAfter = Integer.parseInt(limitedResponse.header("Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
      assertEquals(429, limitedResponse.json().getJsonArray("errors").getJsonObject(0).getInteger("code"));
      // Another user has a bucket of its own.
      assertEquals(200, h.get("/v2/events/audit_logs?eventName=A").as("other", "other-secret").send().status());
    }
  }

  private JsonArray auditLog(String name) {
    Response r = admin(http.get("/v2/events/audit_logs?format=json&eventName=" + name)).send();
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonArray("data");
  }

  private static void assertError(Response r, int status, int code, String messagePart) {
    assertEquals(status, r.status(), r::toString);
    JsonObject error = r.json().getJsonArray("errors").getJsonObject(0);
    assertEquals(code, error.getInteger("code"), r::toString);
    assertTrue(error.getString("message").contains(messagePart), r::toString);
    assertEquals(null, r.json().getValue("data"));
  }

  private static Http.Request admin(Http.Request request) {
    return request.as("admin", "admin-secret");
  }

  private static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }
}
