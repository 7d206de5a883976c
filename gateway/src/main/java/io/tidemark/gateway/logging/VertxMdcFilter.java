package io.tidemark.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.vertx.core.Context;
import java.util.Map;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Runs on the logging thread before every log line: on a Vert.x thread, makes the MDC hold the
 * current request's {@link LogContext} fields (and nothing when no request is current, so that a
 * previous request's id never labels a line). Other threads (plugin calls, Quartz) keep the MDC
 * they set themselves. It never filters: it answers {@code NEUTRAL}.
 */
public final class VertxMdcFilter extends TurboFilter {

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == null || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL; // not written: nothing to label
    }
    if (Context.isOnVertxThread()) {
      Map<String, String> fields = LogContext.onContext();
      if (fields == null || fields.isEmpty()) {
        MDC.clear();
      } else {
        MDC.setContextMap(fields);
      }
    }
    return FilterReply.NEUTRAL;
  }
}
