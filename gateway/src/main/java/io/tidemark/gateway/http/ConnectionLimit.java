package io.tidemark.gateway.http;

import io.vertx.core.http.HttpConnection;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code http.maxConnections} open connections across every HTTP server instance: one
 * beyond is closed as soon as it is accepted, before it can send a request, so that a flood of
 * idle connections cannot exhaust file descriptors or event-loop memory.
 */
public final class ConnectionLimit {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionLimit(int max) {
    this.max = max;
  }

  /** Counts {@code connection} until it closes, or closes it at once when the limit is reached. */
  public void admit(HttpConnection connection) {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      LOG.warn("refused a connection from {}: {} open, the limit (http.maxConnections)", connection.remoteAddress(), max);
      connection.close();
      return;
    }
    connection.closeHandler(closed -> open.decrementAndGet());
  }

  public int open() {
    return open.get();
  }
}
