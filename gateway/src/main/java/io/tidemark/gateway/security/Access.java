package io.tidemark.gateway.security;

import io.tidemark.gateway.config.GatewayConfig;
import io.tidemark.gateway.config.Permission;
import io.tidemark.gateway.config.TenantConfig;
import io.tidemark.gateway.config.UserConfig;
import io.tidemark.gateway.logging.LogContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The authentication, permission and body phases of the request pipeline. {@link #guard} puts
 * them in front of a route: HTTP Basic (401, or 429 after too many failed logins), then the
 * caller's permissions and, for paths with a {@code tenantLocator}, membership of that tenant
 * (403), and only then the body, before any handler or plugin code runs: a refused request is
 * answered without its body being read (nor a {@code 100 Continue} sent), so an anonymous
 * client cannot make the gateway buffer megabytes. Refusals are {@link AccessDenied} (and
 * {@link LoginThrottled}), which {@code http.FailureHandler} answers.
 */
public final class Access {

  private static final String CALLER = "tidemark.caller";
  private static final String TENANT = "tidemark.tenant";

  private final PasswordCheck passwords;
  private final Handler<RoutingContext> body;

  /** {@code body} reads (and bounds) request bodies; it runs after the checks. */
  public Access(PasswordCheck passwords, Handler<RoutingContext> body) {
    this.passwords = passwords;
    // Wrapped: Vert.x Web refuses a BodyHandler after user handlers on a route, to protect routes
    // that forget to pause the request; authenticate() pauses it, so the order is safe here.
    this.body = body::handle;
  }

  /**
   * Authenticates, then requires {@code permissions} (and tenant membership), then reads the
   * body, before the route's own handlers.
   */
  public Route guard(Route route, Permission... permissions) {
    return route.handler(this::authenticate).handler(require(permissions)).handler(body);
  }

  /** Reads the body before the route's own handlers: for routes whose proof of identity is in the body (signed webhooks). */
  public Route bodyFirst(Route route) {
    return route.handler(ctx -> {
      matched(ctx);
      ctx.next();
    }).handler(body);
  }

  /** The matched route's template names the request in the access log (and its later log lines). */
  private static void matched(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    if (route != null && route.getPath() != null) {
      LogContext.put(LogContext.ROUTE, route.getPath());
    }
  }

  /** The callers config defines, by user name. */
  public static Map<String, Caller> callers(GatewayConfig config) {
    Map<String, Caller> callers = new HashMap<>();
    for (UserConfig user : config.users()) {
      List<TenantConfig> tenants = user.tenants().stream()
          .map(name -> config.tenantNamed(name).orElseThrow())
          .toList();
      callers.put(user.name(), new Caller(user.name(), user.userLocator(), tenants, user.permissions()));
    }
    return callers;
  }

  private void authenticate(RoutingContext ctx) {
    matched(ctx);
    // Nothing reads the body yet, and the password check may finish on a later turn of the loop:
    // paused, the request's bytes wait in the socket (bounded by TCP) instead of being dropped;
    // the body handler resumes it once the caller has passed.
    ctx.request().pause();
    basicCaller(ctx)
        .onSuccess(caller -> {
          if (caller.isEmpty()) {
            ctx.fail(AccessDenied.unauthenticated());
            return;
          }
          ctx.put(CALLER, caller.get());
          LogContext.put(LogContext.USER, caller.get().name());
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  private Handler<RoutingContext> require(Permission... permissions) {
    List<Permission> required = Arrays.asList(permissions);
    return ctx -> {
      Caller caller = caller(ctx);
      UUID tenant = ctx.pathParam("tenantLocator") == null ? null : tenantLocator(ctx.pathParam("tenantLocator"));
      List<Permission> missing = required.stream().filter(p -> !caller.permissions().contains(p)).toList();
      if (!missing.isEmpty()) {
        throw AccessDenied.forbidden("User '" + caller.name() + "' lacks permission "
            + missing.stream().map(Permission::wireName).collect(Collectors.joining(", ")));
      }
      if (tenant != null) {
        TenantConfig member = caller.tenants().stream()
            .filter(t -> t.locator().equals(tenant)).findFirst()
            .orElseThrow(() -> AccessDenied.forbidden(
                "User '" + caller.name() + "' does not belong to tenant " + tenant));
        ctx.put(TENANT, member);
        LogContext.put(LogContext.TENANT, member.name());
      }
      ctx.next();
    };
  }

  /** The path's tenant locator: a UUID in its canonical 36-character form only. */
  private static UUID tenantLocator(String raw) {
    try {
      if (raw.length() != 36) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw AccessDenied.malformedTenant("tenantLocator", raw);
    }
  }

  /**
   * The caller behind a request's Basic credentials, for endpoints that accept other proofs too
   * (a webhook's signature); empty when there are none or they are wrong. Fails with
   * {@link LoginThrottled} when too many logins failed lately for the user or from the client's
   * address: the password was not checked, so the request is neither authenticated nor refused.
   * A request without usable credentials counts as a failed login from its address: otherwise
   * anonymous requests would be an unthrottled way to make the gateway answer.
   */
  public Future<Optional<Caller>> basicCaller(RoutingContext ctx) {
    // The socket's peer: request().remoteAddress() would run Vert.x Web's Forwarded-header parser
    // for the same answer, as no proxy headers are trusted.
    SocketAddress remote = ctx.request().connection().remoteAddress();
    String address = remote == null ? null : remote.host();
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return passwords.anonymous(address);
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return passwords.anonymous(address);
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return passwords.anonymous(address);
    }
    return passwords.login(decoded.substring(0, colon), decoded.substring(colon + 1), address);
  }

  public static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  /** The tenant named by the path, already checked against the caller. */
  public static TenantConfig tenant(RoutingContext ctx) {
    return ctx.get(TENANT);
  }
}
