package io.tidemark.gateway.http;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.gateway.Http.Response;
import io.tidemark.gateway.Http;
import io.tidemark.gateway.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /openapi.json} against the gateway itself: every route the router serves on the shipped
 * config is in the document and every documented operation is served, and real answers of the
 * running gateway validate against the document's schemas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {

  private static final Path DOCS_COPY = Path.of(System.getProperty("tidemark.repo.root", ".."), "docs", "openapi.json");

  private TestGateway gateway;
  private Http http;
  private JsonObject document;
  private ResponseValidator validator;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), OpenApiDocumentTest.class);
    http = gateway.http();
    Response served = http.get("/openapi.json").send();
    assertEquals(200, served.status());
    assertTrue(served.header("Content-Type").startsWith("application/json"));
    document = served.json();
    // The validator knows no text/event-stream: the live stream's body is checked by LiveStreamTest.
    JsonObject forValidation = document.copy();
    forValidation.getJsonObject("paths").getJsonObject("/event/{tenantLocator}/events/live").getJsonObject("get")
        .getJsonObject("responses").getJsonObject("200").remove("content");
    OpenAPIContract contract = TestGateway.await(OpenAPIContract.from(gateway.vertx(), forValidation));
    validator = ResponseValidator.create(gateway.vertx(), contract);
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @Test
  void the_document_is_openapi_3_1_and_docs_holds_the_same_file() throws Exception {
    assertEquals("3.1.0", document.getString("openapi"));
    assertEquals(document, new JsonObject(Files.readString(DOCS_COPY)), "docs/openapi.json must equal the served document");
  }

  @Test
  void every_route_is_documented_and_every_documented_operation_is_routed() {
    Set<String> routed = new TreeSet<>();
    for (Route route : gateway.gateway().router().getRoutes()) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue; // the pipeline's catch-all handlers (request id, access log, failures)
      }
      String template = route.getPath().replaceAll(":([A-Za-z][A-Za-z0-9_]*)", "{$1}");
      route.methods().forEach(m -> routed.add(m.name() + " " + template));
    }
    Set<String> documented = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        documented.add(method.toUpperCase() + " " + path);
      }
    }
    Set<String> undocumented = new TreeSet<>(routed);
    undocumented.removeAll(documented);
    Set<String> unrouted = new TreeSet<>(documented);
    unrouted.removeAll(routed);
    assertEquals(Set.of(), undocumented, "routes missing from openapi.json");
    assertEquals(Set.of(), unrouted, "operations in openapi.json that no route serves");
  }

  @Test
  void real_answers_validate_against_the_document() {
    List<String> failures = new ArrayList<>();
    String admin = "admin-secret";
    String definition = """
        {"eventName": "Doc_Event", "description": "for the document test", "actions": [],
         "fields": [{"name": "customer", "type": "customer"}]}""";
    check(failures, "createDefinition", http.post("/v2/events").as("admin", admin).body(definition).send());
    check(failures, "createDefinition", http.post("/v2/events").as("admin", admin).body(definition).send()); // 409
    check(failures, "listDefinitions", http.get("/v2/events").as("admin", admin).send());
    check(failures, "getDefinition", http.get("/v2/events/Doc_Event").as("admin", admin).send());
    check(failures, "getDefinition", http.get("/v2/events/Nope").as("admin", admin).send()); // 404
    check(failures, "replaceDefinition", http.method("PUT", "/v2/events/Doc_Event").as("admin", admin).body(definition).send());
    check(failures, "definitionAuditLog", http.get("/v2/events/audit_logs?eventName=Doc_Event").as("admin", admin).send());
    check(failures, "ingestWebhook", http.post("/v2/webhooks/67b62dffb7f5337f8a8237970bd0a467/events").as("admin", admin)
        .body("{\"event_name\":\"Doc_Event\",\"customer\":\"919970388310\"}").send());
    check(failures, "ingestWebhook", http.post("/v2/webhooks/67b62dffb7f5337f8a8237970bd0a467/events").body("{}").send()); // 401
    check(failures, "processingLog", http.get("/v2/events/logs?limit=5").as("admin", admin).send());
    check(failures, "deleteDefinition", http.method("DELETE", "/v2/events/Doc_Event").as("admin", admin).send());

    String policy = "{\"productName\":\"home\",\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2030-01-01T00:00:00Z\",\"premium\":10}";
    Response issued = http.post("/policy/" + DEMO_TENANT + "/policies").as("admin", admin).body(policy).send();
    check(failures, "issuePolicy", issued);
    check(failures, "issuePolicy", http.post("/policy/" + DEMO_TENANT + "/policies").as("admin", admin)
        .body(policy.replace("\"premium\":10", "\"premium\":0")).send()); // 422
    check(failures, "issuePolicy", http.post("/policy/" + DEMO_TENANT + "/policies").as("reader", "reader-secret").body(policy).send()); // 403
    check(failures, "scheduleRenewalSweep", http.post("/policy/" + DEMO_TENANT + "/renewal-sweeps").as("admin", admin)
        .body("{\"runAt\":\"2030-01-01T00:00:00Z\"}").send());
    String ev = "/event/" + DEMO_TENANT + "/events";
    Response page = http.get(ev + "/list?pageSize=2").as("reader", "reader-secret").send();
    check(failures, "listEvents", page);
    check(failures, "listEvents", http.get(ev + "/list?pageSize=0").as("reader", "reader-secret").send()); // 400
    check(failures, "listEvents", http.get(ev + "/list").send()); // 401
    String locator = page.json().getJsonArray("events").getJsonObject(0).getString("locator");
    check(failures, "getEvent", http.get(ev + "/" + locator).as("reader", "reader-secret").send());
    check(failures, "getEvent", http.get(ev + "/01JF8Z6Q3W9V4R2T7Y5N1M0K8H").as("reader", "reader-secret").send()); // 404
    check(failures, "eventsOfRequest", http.get(ev + "/request/" + issued.header("X-Request-Id")).as("reader", "reader-secret").send());
    String policyLocator = issued.json().getString("policyLocator");
    check(failures, "policySchedules", http.get(ev + "/schedules/policy/" + policyLocator).as("reader", "reader-secret").send());
    check(failures, "listFailedJobs", http.get(ev + "/schedules/failed/list").as("reader", "reader-secret").send());
    check(failures, "listFailedJobsByState", http.get(ev + "/schedules/failed/quit/list").as("reader", "reader-secret").send());
    check(failures, "listTenantFailedJobs", http.get(ev + "/schedules/tenant/failed/list").as("reader", "reader-secret").send());
    check(failures, "listPolicyFailedJobs", http.get(ev + "/schedules/policy/" + policyLocator + "/failed/list").as("reader", "reader-secret").send());
    check(failures, "resumeFailedJob", http.post(ev + "/schedules/failed/resume").as("admin", admin)
        .body("{\"triggerName\":\"nope\",\"triggerGroup\":\"" + DEMO_TENANT + "\"}").send()); // 404
    String subs = "/event/" + DEMO_TENANT + "/subscriptions";
    Response sub = http.post(subs).as("admin", admin).body("{\"url\":\"http://127.0.0.1:9/hook\"}").send();
    check(failures, "createSubscription", sub);
    check(failures, "createSubscription", http.post(subs).as("admin", admin).body("{\"url\":\"http://10.0.0.1/hook\"}").send()); // 400
    String sid = sub.json().getString("id");
    check(failures, "listSubscriptions", http.get(subs).as("admin", admin).send());
    check(failures, "getSubscription", http.get(subs + "/" + sid).as("admin", admin).send());
    check(failures, "updateSubscription", http.method("PATCH", subs + "/" + sid).as("admin", admin).body("{\"status\":\"disabled\"}").send());
    check(failures, "rotateSubscriptionSecret", http.post(subs + "/" + sid + "/rotate-secret").as("admin", admin).send());
    check(failures, "listDeliveryAttempts", http.get(subs + "/" + sid + "/attempts").as("admin", admin).send());
    check(failures, "replaySubscription", http.post(subs + "/" + sid + "/replay").as("admin", admin)
        .body("{\"startTimestamp\":\"2026-01-01T00:00:00Z\"}").send());
    check(failures, "deleteSubscription", http.method("DELETE", subs + "/" + sid).as("admin", admin).send());
    check(failures, "getSubscription", http.get(subs + "/" + sid).as("admin", admin).send()); // 404
    check(failures, "listPlugins", http.get("/admin/plugins").as("admin", admin).send());
    check(failures, "getHealth", http.get("/health").send());
    check(failures, "getLiveness", http.get("/health/live").send());
    check(failures, "getReadiness", http.get("/health/ready").send());
    assertEquals(List.of(), failures);
  }

  private void check(List<String> failures, String operationId, Response response) {
    String type = response.header("Content-Type");
    ValidatableResponse validatable = ValidatableResponse.create(response.status(),
        type == null ? Map.of() : Map.of("Content-Type", type),
        response.body() == null || response.body().isEmpty() ? null : Buffer.buffer(response.body()),
        type == null ? null : type.split(";")[0].trim());
    try {
      TestGateway.await(validator.validate(validatable, operationId));
    } catch (RuntimeException e) {
      failures.add(operationId + " " + response.status() + ": " + e.getMessage() + " — " + response.body());
    }
  }
}
