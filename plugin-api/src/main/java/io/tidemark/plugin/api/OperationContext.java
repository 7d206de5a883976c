package io.tidemark.plugin.api;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What an operation knows about the call it serves. */
public interface OperationContext {

  /** The tenant the call acts in: the route's {@code {tenantLocator}}, else the caller's default tenant. */
  UUID tenantLocator();

  /** The tenant's organisation id. */
  int orgId();

  /** The authenticated user. */
  UUID userLocator();

  /** The request id; the events emitted here are stored under it. */
  String requestId();

  /** The route's path parameters, such as {@code tenantLocator}. */
  Map<String, String> pathParameters();

  /** The query parameters; a parameter sent twice has two values. */
  Map<String, List<String>> queryParameters();

  /**
   * The JSON body as plain Java values (maps, lists, strings, numbers, booleans, null), or
   * {@code null} when the request has no body. A body that is not a JSON object is refused
   * with 400 before the operation runs.
   */
  Map<String, Object> body();

  /** The body exactly as received, or {@code null}. */
  String rawBody();

  /** This plugin's section of the gateway config ({@code plugins.installed.<id>.config}); empty if none. */
  Map<String, Object> pluginConfig();

  /** Emits events into the tenant's stream under this call's request id. */
  EventEmitter events();

  /** Schedules custom events in this tenant, for a policy or for the tenant itself. */
  EventScheduler scheduler();
}
