package io.tidemark.gateway.delivery;

import static io.tidemark.gateway.config.Permission.EVENTS_SUBSCRIBE;

import io.tidemark.gateway.config.DeliveryConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.http.JsonBodies;
import io.tidemark.gateway.http.QueryParameters;
import io.tidemark.gateway.http.Responses;
import io.tidemark.gateway.http.SignedTokens;
import io.tidemark.gateway.http.Timestamps;
import io.tidemark.gateway.security.Access;
import io.tidemark.gateway.security.Mountable;
import io.tidemark.gateway.stream.StreamFilter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /event/{tenantLocator}/subscriptions}: outbound subscriptions of a tenant (permission
 * {@code events:subscribe}), their delivery attempts, secret rotation and replay.
 */
public final class SubscriptionRoutes implements Mountable {

  private static final int MAX_TYPES = 100;
  private static final int MAX_TYPE_LENGTH = 200;
  private static final int MAX_DESCRIPTION = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final SubscriptionStore store;
  private final TargetGuard guard;
  private final SignedTokens tokens;

  public SubscriptionRoutes(Vertx vertx, Pool pool, DeliveryConfig config, byte[] tokenSecret) {
    this.vertx = vertx;
    this.store = new SubscriptionStore(pool);
    this.guard = new TargetGuard(config);
    this.tokens = new SignedTokens(tokenSecret);
  }

  @Override
  public void mount(Router router, Access access) {
    String base = "/event/:tenantLocator/subscriptions";
    access.guard(router.post(base), EVENTS_SUBSCRIBE).handler(this::create);
    access.guard(router.get(base), EVENTS_SUBSCRIBE).handler(this::list);
    access.guard(router.get(base + "/:id"), EVENTS_SUBSCRIBE).handler(this::get);
    access.guard(router.patch(base + "/:id"), EVENTS_SUBSCRIBE).handler(this::patch);
    access.guard(router.delete(base + "/:id"), EVENTS_SUBSCRIBE).handler(this::delete);
    access.guard(router.post(base + "/:id/rotate-secret"), EVENTS_SUBSCRIBE).handler(this::rotate);
    access.guard(router.get(base + "/:id/attempts"), EVENTS_SUBSCRIBE).handler(this::attempts);
    access.guard(router.post(base + "/:id/replay"), EVENTS_SUBSCRIBE).handler(this::replay);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx.body().asString());
    String url = text(body, "url", true).orElseThrow();
    List<String> types = types(body).orElse(List.of());
    String description = text(body, "description", false).orElse(null);
    checked(url)
        .compose(ok -> store.create(tenant(ctx), url, types, description, newSecret()))
        .onSuccess(s -> Responses.json(ctx, 201, s.toJson(true)))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    store.list(tenant(ctx)).onSuccess(all -> {
      JsonArray array = new JsonArray();
      all.forEach(s -> array.add(s.toJson(false)));
      Responses.json(ctx, 200, new JsonObject().put("subscriptions", array));
    }).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    found(ctx).onSuccess(s -> Responses.json(ctx, 200, s.toJson(false))).onFailure(ctx::fail);
  }

  private void patch(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx.body().asString());
    Optional<String> url = text(body, "url", false);
    Optional<List<String>> types = types(body);
    boolean describes = body.containsKey("description");
    Optional<String> description = text(body, "description", false);
    Optional<String> status = text(body, "status", false);
    if (status.isPresent() && !List.of("active", "disabled").contains(status.get())) {
      throw ApiException.badBody("status must be active or disabled, got '" + status.get() + "'");
    }
    found(ctx)
        .compose(s -> url.map(this::checked).orElse(Future.succeededFuture()).map(ok -> s))
        .compose(s -> store.update(tenant(ctx), new Subscription(s.id(), s.tenant(), url.orElse(s.url()), types.orElse(s.types()),
            describes ? description.orElse(null) : s.description(), s.secret(), s.previousSecret(), s.previousSecretUntil(),
            status.orElse(s.status()), status.filter("disabled"::equals).map(d -> "disabled by the API").orElse(null),
            s.createdAt(), s.afterPosition(), s.attempt(), s.failingSince())))
        .map(updated -> updated.orElseThrow(() -> notFound(ctx)))
        .onSuccess(s -> Responses.json(ctx, 200, s.toJson(false)))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    UUID id = id(ctx);
    store.delete(tenant(ctx), id).onSuccess(deleted -> {
      if (!deleted) {
        ctx.fail(notFound(ctx));
        return;
      }
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  /** A new secret; the old one keeps signing beside it for 24 hours. */
  private void rotate(RoutingContext ctx) {
    store.rotate(tenant(ctx), id(ctx), newSecret())
        .map(rotated -> rotated.orElseThrow(() -> notFound(ctx)))
        .onSuccess(s -> Responses.json(ctx, 200, s.toJson(true).put("previousSecretValidUntil", Timestamps.format(s.previousSecretUntil()))))
        .onFailure(ctx::fail);
  }

  private void attempts(RoutingContext ctx) {
    int pageSize = QueryParameters.intInRange(ctx, "pageSize", 100, 1, 1000);
    Optional<String> raw = QueryParameters.optional(ctx, "pagingToken");
    found(ctx).compose(s -> {
      String scope = "attempts|" + s.id();
      long before = raw.map(t -> tokens.open(t, scope, 1, "pagingToken")[0]).orElse(Long.MAX_VALUE);
      return store.attempts(s.id(), before, pageSize).map(list -> {
        JsonArray array = new JsonArray();
        list.forEach(a -> array.add(new JsonObject()
            .put("eventLocator", a.eventLocator())
            .put("attemptedAt", Timestamps.format(a.attemptedAt()))
            .put("statusCode", a.statusCode())
            .put("responseTimeMs", a.responseTimeMs())
            .put("response", a.response())
            .put("error", a.error())));
        long next = list.isEmpty() ? before : list.get(list.size() - 1).seq();
        return new JsonObject().put("pagingToken", tokens.issue(scope, next)).put("attempts", array);
      });
    }).onSuccess(page -> Responses.json(ctx, 200, page)).onFailure(ctx::fail);
  }

  /** Sends again the events after a paging token, or from a time on: delivery restarts there. */
  private void replay(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx.body().asString());
    Optional<String> token = text(body, "pagingToken", false);
    Optional<String> start = text(body, "startTimestamp", false);
    if (token.isPresent() == start.isPresent()) {
      throw ApiException.badBody("give exactly one of pagingToken and startTimestamp");
    }
    UUID tenant = tenant(ctx);
    Future<Long> from;
    if (token.isPresent()) {
      SignedTokens.Carried carried = tokens.openCarrying(token.get(), 1, "pagingToken", null);
      if (StreamFilter.parse(carried.scope()).filter(f -> f.tenant().equals(tenant)).isEmpty()) {
        throw ApiException.badBody("pagingToken was issued for another tenant");
      }
      from = Future.succeededFuture(carried.values()[0]);
    } else {
      Instant at;
      try {
        at = Instant.parse(start.get());
      } catch (DateTimeParseException e) {
        throw ApiException.badBody("startTimestamp must be an ISO-8601 instant such as 2026-01-01T00:00:00Z");
      }
      from = store.positionBefore(tenant, at);
    }
    found(ctx).compose(s -> from.compose(position -> store.replayFrom(tenant, s.id(), position)))
        .onSuccess(v -> Responses.json(ctx, 202, new JsonObject().put("replaying", true)))
        .onFailure(ctx::fail);
  }

  // ---- helpers

  private Future<Void> checked(String url) {
    try {
      TargetGuard.parse(url);
    } catch (TargetGuard.Refused e) {
      return Future.failedFuture(ApiException.badBody(e.getMessage()));
    }
    return vertx.executeBlocking(() -> guard.resolve(url), false).<Void>mapEmpty()
        .recover(failure -> Future.failedFuture(failure instanceof TargetGuard.Refused
            ? ApiException.badBody(failure.getMessage()) : failure));
  }

  private Future<Subscription> found(RoutingContext ctx) {
    return store.find(tenant(ctx), id(ctx)).map(s -> s.orElseThrow(() -> notFound(ctx)));
  }

  private static ApiException notFound(RoutingContext ctx) {
    return ApiException.notFound("No subscription " + ctx.pathParam("id") + " in this tenant");
  }

  private static UUID tenant(RoutingContext ctx) {
    return Access.tenant(ctx).locator();
  }

  private static UUID id(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    try {
      if (raw.length() != 36) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.badParameter("id", "must be a subscription id (a UUID), got '" + raw + "'");
    }
  }

  private static Optional<String> text(JsonObject body, String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      if (required) {
        throw ApiException.badBody(field + " is required");
      }
      return Optional.empty();
    }
    if (!(value instanceof String s)) {
      throw ApiException.badBody(field + " must be a string");
    }
    if (field.equals("description") && s.length() > MAX_DESCRIPTION) {
      throw ApiException.badBody("description must be at most " + MAX_DESCRIPTION + " characters");
    }
    return Optional.of(s);
  }

  private static Optional<List<String>> types(JsonObject body) {
    Object value = body.getValue("types");
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof JsonArray array) || array.size() > MAX_TYPES) {
      throw ApiException.badBody("types must be an array of at most " + MAX_TYPES + " event types");
    }
    List<String> types = new ArrayList<>();
    for (Object t : array) {
      if (!(t instanceof String s) || s.isBlank() || s.length() > MAX_TYPE_LENGTH) {
        throw ApiException.badBody("types must hold event types of 1 to " + MAX_TYPE_LENGTH + " characters");
      }
      types.add(s);
    }
    return Optional.of(List.copyOf(types));
  }

  private static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return "whsec_" + Base64.getEncoder().encodeToString(key);
  }
}
