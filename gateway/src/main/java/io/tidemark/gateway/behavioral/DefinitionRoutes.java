package io.tidemark.gateway.behavioral;

import static io.tidemark.gateway.behavioral.DefinitionError.EVENT_NAME_MISMATCH;
import static io.tidemark.gateway.behavioral.DefinitionError.EVENT_NOT_FOUND;
import static io.tidemark.gateway.config.Permission.CUSTOMER_GROUP_WRITE;
import static io.tidemark.gateway.config.Permission.EVENTS_READ;
import static io.tidemark.gateway.config.Permission.EVENT_DEFINITIONS_WRITE;

import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.QueryParameters;
import io.tidemark.gateway.http.RequestIds;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.http.Timestamps;
import io.tidemark.gateway.plugins.PluginRuntime;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Caller;
import io.tidemark.gateway.security.Mountable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * {@code /v2/events}: behavioral event definitions of the caller's org (its first tenant), and
 * their audit log. Answers in the {@code {data, warnings, errors}} envelope.
 */
public final class DefinitionRoutes implements Mountable {

  private final DefinitionStore store;
  private final PluginRuntime plugins;
  private final AuditRateLimiter auditLimit;

  /** @param definitions whose store announces every change to the other instances' caches */
  public DefinitionRoutes(DefinitionCache definitions, PluginRuntime plugins, int auditRequestsPerMinute) {
    this.store = definitions.store();
    this.plugins = plugins;
    this.auditLimit = new AuditRateLimiter(auditRequestsPerMinute);
  }

  @Override
  public void mount(Router router, Access access) {
    // Literal paths before /v2/events/:eventName.
    access.guard(router.get("/v2/events/audit_logs"), CUSTOMER_GROUP_WRITE).handler(this::auditLog);
    access.guard(router.post("/v2/events"), EVENT_DEFINITIONS_WRITE).handler(this::create);
    access.guard(router.get("/v2/events"), EVENTS_READ).handler(this::list);
    access.guard(router.get("/v2/events/:eventName"), EVENTS_READ).handler(this::get);
    access.guard(router.put("/v2/events/:eventName"), EVENT_DEFINITIONS_WRITE).handler(this::replace);
    access.guard(router.delete("/v2/events/:eventName"), EVENT_DEFINITIONS_WRITE).handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    parse(ctx)
        .compose(definition -> store.create(orgId(ctx), definition, RequestIds.of(ctx)))
        .onSuccess(created -> Responses.v2(ctx, 201, created.toJson()))
        .onFailure(ctx::fail);
  }

  private void replace(RoutingContext ctx) {
    String eventName = ctx.pathParam("eventName");
    parse(ctx)
        .compose(definition -> {
          if (!definition.eventName().equals(eventName)) {
            return Future.failedFuture(EVENT_NAME_MISMATCH.with("The body defines '" + definition.eventName()
                + "' but the path names '" + eventName + "'; a definition cannot be renamed"));
          }
          return store.replace(orgId(ctx), definition, RequestIds.of(ctx));
        })
        .onSuccess(replaced -> Responses.v2(ctx, 200, replaced.toJson()))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String eventName = ctx.pathParam("eventName");
    store.delete(orgId(ctx), eventName, RequestIds.of(ctx))
        .onSuccess(v -> Responses.v2(ctx, 200, new JsonObject().put("eventName", eventName).put("deleted", true)))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    String eventName = ctx.pathParam("eventName");
    store.find(orgId(ctx), eventName)
        .map(found -> found.orElseThrow(() -> EVENT_NOT_FOUND.with("No event named '" + eventName + "'")))
        .onSuccess(definition -> Responses.v2(ctx, 200, definition.toJson()))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    store.list(orgId(ctx))
        .onSuccess(definitions -> {
          JsonArray data = new JsonArray();
          definitions.forEach(d -> data.add(d.toJson()));
          Responses.v2(ctx, 200, data);
        })
        .onFailure(ctx::fail);
  }

  /** Seed 002: the changes of one event, newest first; no pagination; rate limited per user. */
  private void auditLog(RoutingContext ctx) {
    auditLimit.take(Access.caller(ctx).name());
    String format = QueryParameters.optional(ctx, "format").orElse("json");
    // Clients send json as well as JSON: the value names a format, so its case carries no meaning.
    if (!format.equalsIgnoreCase("json")) {
      throw ApiException.badParameter("format", "only 'json' is supported, got '" + format + "'");
    }
    String eventName = QueryParameters.optional(ctx, "eventName")
        .orElseThrow(() -> ApiException.badParameter("eventName", "is required"));
    store.auditLog(orgId(ctx), eventName)
        .onSuccess(rows -> {
          JsonArray data = new JsonArray();
          rows.forEach(row -> data.add(auditEntry(row)));
          Responses.v2(ctx, 200, data);
        })
        .onFailure(ctx::fail);
  }

  /**
   * {@code valueHistory} lists the values the definition had around the change, oldest first:
   * created → [new]; updated → [old, new]; deleted → [old, ""]. {@code value} is the definition
   * as JSON text, and the empty string once there is none (clients read it as a string, never
   * null); {@code changedOn} is when it took that value.
   *
   * <p>{@code id} identifies the event name, not the entry: the same for every change of one
   * name in one org, so that a client can group entries by it.
   */
  private static JsonObject auditEntry(Row row) {
    JsonArray history = new JsonArray();
    String type = row.getString("updated_type");
    if (!type.equals("CREATED")) {
      history.add(value((JsonObject) row.getValue("value_before"), row.getOffsetDateTime("value_before_time")));
    }
    history.add(value((JsonObject) row.getValue("value_after"), row.getOffsetDateTime("changed_on")));
    int orgId = row.getInteger("org_id");
    String eventName = row.getString("event_name");
    return new JsonObject()
        .put("id", eventNameId(orgId, eventName).toString())
        .put("orgId", orgId)
        .put("eventName", eventName)
        .put("updatedType", type)
        .put("requestId", row.getString("request_id"))
        .put("valueHistory", history);
  }

  /**
   * A name-based UUID of org and event name: stable across restarts, instances, and a delete
   * followed by a re-create, and computed rather than stored so that older entries have it too.
   */
  static UUID eventNameId(int orgId, String eventName) {
    return UUID.nameUUIDFromBytes(("tidemark-event-name:" + orgId + ":" + eventName).getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject value(JsonObject definition, OffsetDateTime changedOn) {
    return new JsonObject()
        .put("value", definition == null ? "" : definition.encode())
        .put("changedOn", changedOn == null ? null : Timestamps.format(changedOn));
  }

  /** On a worker: a body may hold thousands of regexes, each compiled (and refused) here. */
  private Future<Definition> parse(RoutingContext ctx) {
    String body = ctx.body().asString();
    return ctx.vertx().executeBlocking(() -> DefinitionParser.parse(body, this::processorStarted), false);
  }

  private boolean processorStarted(String id) {
    return plugins.processorOwner(id).isPresent();
  }

  private static int orgId(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    return caller.defaultTenant().orgId();
  }
}
