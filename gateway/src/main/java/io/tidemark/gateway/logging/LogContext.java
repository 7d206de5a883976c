package io.tidemark.gateway.logging;

import io.vertx.core.internal.ContextInternal;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.MDC;

/**
 * What every log line of a request carries (its {@code requestId}, {@code tenant}, {@code user} and {@code route}),
 * kept on the request's Vert.x context rather than in a thread-local: a request's callbacks run on
 * an event loop that serves many requests in turn, so an MDC set at the start of a request would
 * label other requests' lines. Vert.x gives each HTTP request a duplicated context of its own,
 * which its database and timer callbacks run on; {@link VertxMdcFilter} copies these fields into
 * the MDC just before each line is written. Plugin code runs on threads of its own: {@link #call}
 * sets the MDC there for the call's duration.
 */
public final class LogContext {

  public static final String REQUEST_ID = "requestId";
  public static final String TENANT = "tenant";
  public static final String USER = "user";
  /** The matched route's template, such as {@code /event/:tenantLocator/events/list}. */
  public static final String ROUTE = "route";

  private static final String KEY = "tidemark.log";

  private LogContext() {}

  /** Sets {@code field} for the rest of the current request; no-op outside a Vert.x context. */
  public static void put(String field, String value) {
    ContextInternal context = ContextInternal.current();
    if (context == null || value == null) {
      return;
    }
    fields(context, true).put(field, value);
  }

  /** The current request's fields (a copy); empty outside a request. */
  public static Map<String, String> current() {
    ContextInternal context = ContextInternal.current();
    Map<String, String> fields = context == null ? null : fields(context, false);
    return fields == null ? Map.of() : Map.copyOf(fields);
  }

  /** The fields of the request whose context is current; null when there is none. */
  static Map<String, String> onContext() {
    ContextInternal context = ContextInternal.current();
    return context == null ? null : fields(context, false);
  }

  /** Runs {@code work} with {@code fields} in the MDC of this (non-Vert.x) thread, then clears them. */
  public static <T> T call(Map<String, String> fields, Callable<T> work) throws Exception {
    if (fields.isEmpty()) {
      return work.call();
    }
    Map<String, String> previous = MDC.getCopyOfContextMap();
    MDC.setContextMap(fields);
    try {
      return work.call();
    } finally {
      if (previous == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(previous);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static ConcurrentMap<String, String> fields(ContextInternal context, boolean create) {
    // The duplicate's own local data: a request's fields never leak to the event loop's other requests.
    ConcurrentMap<Object, Object> local = context.localContextData();
    Object fields = local.get(KEY);
    if (fields == null && create) {
      fields = new ConcurrentHashMap<String, String>(4);
      local.put(KEY, fields);
    }
    return (ConcurrentMap<String, String>) fields;
  }
}
