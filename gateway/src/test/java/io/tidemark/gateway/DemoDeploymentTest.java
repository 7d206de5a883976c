package io.tidemark.gateway;

import static io.tidemark.gateway.TestGateway.DEMO_TENANT;
import static io.tidemark.gateway.TestGateway.OTHER_TENANT;
import static io.tidemark.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.gateway.store.AppendRequest;
import io.tidemark.gateway.store.NewEvent;
import io.tidemark.gateway.store.StoredEvent;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped config/ as `bin/tidemark run` serves it: the demo users of contract §1 on the stream endpoints. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoDeploymentTest {

  private TestGateway gateway;
  private StoredEvent demoEvent;
  private StoredEvent otherEvent;

  @BeforeAll
  void start() {
    gateway = TestGateway.startInFreshSchema(TestGateway.shippedConfig(), DemoDeploymentTest.class);
    demoEvent = append(DEMO_TENANT);
    otherEvent = append(OTHER_TENANT);
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  @ParameterizedTest(name = "{0} on {1}/{2}: {3}")
  @CsvSource({
      "admin,  demo,  event,   200", "admin,  demo,  request, 200", "admin,  demo,  list, 200",
      "reader, demo,  event,   200", "reader, demo,  request, 200", "reader, demo,  list, 200",
      "other,  demo,  event,   403", "other,  demo,  request, 403", "other,  demo,  list, 403",
      "other,  other, event,   200", "other,  other, request, 200", "other,  other, list, 200",
      "admin,  other, list,    403", "reader, other, event,   403"})
  void demo_users_get_the_contracts_statuses(String user, String tenant, String endpoint, int status) {
    boolean demo = tenant.equals("demo");
    StoredEvent event = demo ? demoEvent : otherEvent;
    String base = "/event/" + (demo ? DEMO_TENANT : OTHER_TENANT) + "/events";
    String path = switch (endpoint) {
      case "event" -> base + "/" + event.locator();
      case "request" -> base + "/request/" + event.requestId();
      default -> base + "/list";
    };
    Http.Response r = gateway.http().get(path).as(user, user + "-secret").send();
    assertEquals(status, r.status(), r::toString);
  }

  @Test
  void demo_credentials_with_a_wrong_password_get_401() {
    assertEquals(401, gateway.http().get("/event/" + DEMO_TENANT + "/events/list").as("admin", "reader-secret").send().status());
  }

  private StoredEvent append(String tenant) {
    return await(gateway.gateway().appender().append(new AppendRequest(UUID.fromString(tenant), null,
        "req-" + UUID.randomUUID(), List.of(new NewEvent("demo.event", null))))).get(0);
  }
}
