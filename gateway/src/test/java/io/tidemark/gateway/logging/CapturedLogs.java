package io.tidemark.gateway.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** Every log line written while it is attached, captured as the real appenders see it (MDC included). */
final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<ILoggingEvent> events = new ArrayList<>();

  CapturedLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    setContext(context);
    start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    // The MDC is read lazily: capture it now, on the logging thread, as an async appender would.
    event.prepareForDeferredProcessing();
    synchronized (events) {
      events.add(event);
    }
  }

  List<ILoggingEvent> matching(Predicate<ILoggingEvent> filter) {
    synchronized (events) {
      return events.stream().filter(filter).toList();
    }
  }

  @Override
  public void close() {
    ((LoggerContext) getContext()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
    stop();
  }
}
