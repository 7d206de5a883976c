package io.tidemark.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.tidemark.gateway.config.LoggingConfig;
import java.net.URL;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging:} of the gateway config once it is loaded: the line format (one of the
 * two logback configurations shipped in the jar) and the root level. An operator's own logback
 * file ({@code -Dlogback.configurationFile=...}) wins over both: then this does nothing.
 */
public final class LogSetup {

  private LogSetup() {}

  /**
   * Writes out what the asynchronous appender still holds, then stops logging: the last thing
   * the process does, or the final lines ("Tidemark stopped", a start-up failure) would be lost.
   */
  public static void flush() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }

  public static void apply(LoggingConfig config) {
    if (System.getProperty("logback.configurationFile") != null
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    URL file = LogSetup.class.getResource(config.json() ? "/tidemark-logback-json.xml" : "/tidemark-logback-text.xml");
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(file);
    } catch (JoranException e) {
      throw new IllegalStateException("the shipped logback configuration " + file + " is broken", e);
    }
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(config.level(), Level.INFO));
    if (!config.accessLog()) {
      context.getLogger(AccessLogger.NAME).setLevel(Level.OFF);
    }
  }
}
