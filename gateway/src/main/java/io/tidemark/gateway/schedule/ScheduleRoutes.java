package io.tidemark.gateway.schedule;

import static io.tidemark.gateway.config.Permission.EVENTS_READ;
import static io.tidemark.gateway.config.Permission.EVENTS_WRITE;

import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.JsonBodies;
import io.tidemark.gateway.http.QueryParameters;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.http.Timestamps;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** The schedule endpoints of seed 003: a policy's schedules, and failed jobs to list, resume and delete. */
public final class ScheduleRoutes implements Mountable {


  private final ScheduleQueries scheduling;

  public ScheduleRoutes(Vertx vertx, Scheduling scheduling) {
    this(scheduling.queries());
  }

  ScheduleRoutes(ScheduleQueries queries) {
    this.scheduling = queries;
  }

  @Override
  public void mount(Router router, Access access) {
    String base = "/event/:tenantLocator/events/schedules";
    access.guard(router.get(base + "/policy/:policyLocator"), EVENTS_READ).handler(this::policySchedules);
    access.guard(router.get(base + "/tenant/failed/list"), EVENTS_READ)
        .handler(ctx -> failures(ctx, ScheduleStore.Filter.TENANT_EVENTS, null));
    access.guard(router.get(base + "/policy/:policyLocator/failed/list"), EVENTS_READ)
        .handler(ctx -> failures(ctx, ScheduleStore.Filter.POLICY, ctx.pathParam("policyLocator")));
    // Literal before parameter: "list" is not a failed job state.
    access.guard(router.get(base + "/failed/list"), EVENTS_READ).handler(ctx -> failures(ctx, ScheduleStore.Filter.ALL, null));
    access.guard(router.get(base + "/failed/:failedJobState/list"), EVENTS_READ).handler(ctx -> {
      String state = ctx.pathParam("failedJobState");
      if (!List.of("queued", "quit").contains(state)) {
        throw ApiException.badParameter("failedJobState", "must be queued or quit, got '" + state + "'");
      }
      failures(ctx, ScheduleStore.Filter.STATE, state);
    });
    access.guard(router.post(base + "/failed/resume"), EVENTS_WRITE).handler(ctx ->
        failedJob(ctx, (tenant, name) -> scheduling.resume(tenant, name)));
    access.guard(router.delete(base + "/failed"), EVENTS_WRITE).handler(ctx ->
        failedJob(ctx, (tenant, name) -> scheduling.deleteFailed(tenant, name)));
  }

  private void policySchedules(RoutingContext ctx) {
    scheduling.policySchedules(Access.tenant(ctx).locator(), ctx.pathParam("policyLocator"))
        .onSuccess(schedules -> {
          JsonArray body = new JsonArray();
          for (ScheduleQueries.PolicySchedule s : schedules) {
            body.add(new JsonObject()
                .put("policyLocator", s.policyLocator())
                .put("transactionLocator", s.transactionLocator())
                .put("triggerState", s.triggerState())
                .put("customEventId", s.customEventId())
                .put("nextEventTime", s.nextEventTime() == null ? null : Timestamps.format(s.nextEventTime()))
                .put("triggerName", s.triggerName())
                .put("triggerGroup", s.triggerGroup()));
          }
          Responses.json(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }

  private void failures(RoutingContext ctx, ScheduleStore.Filter filter, String value) {
    int offset = QueryParameters.intInRange(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    int count = QueryParameters.intInRange(ctx, "count", 100, 0, 1000);
    scheduling.failures(Access.tenant(ctx).locator(), filter, value, offset, count)
        .onSuccess(rows -> {
          JsonArray body = new JsonArray();
          rows.forEach(f -> body.add(new JsonObject()
              .put("triggerName", f.triggerName())
              .put("failedJobState", f.state())
              .put("failureCount", f.failureCount())
              .put("triggerGroup", f.triggerGroup())
              .put("updatedAt", time(f.updatedAt()))
              .put("createdAt", time(f.createdAt()))));
          Responses.json(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }

  private interface FailedJobAction {
    Future<Void> apply(UUID tenant, String triggerName);
  }

  /** Reads {@code {triggerName, triggerGroup}}; a group other than the path's tenant names no job of it (404). */
  private void failedJob(RoutingContext ctx, FailedJobAction action) {
    JsonObject body = JsonBodies.object(ctx.body().asString());
    String name = text(body, "triggerName");
    String group = text(body, "triggerGroup");
    UUID tenant = Access.tenant(ctx).locator();
    if (!group.equals(tenant.toString())) {
      throw ApiException.notFound("No failed job " + name + " in trigger group " + group + " of this tenant");
    }
    action.apply(tenant, name)
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private static String text(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw ApiException.badBody(field + " is required and must be a string");
    }
    return s;
  }

  private static String time(OffsetDateTime t) {
    return Timestamps.format(t);
  }
}
