package io.tidemark.gateway.plugins;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Numbered daemon threads: a plugin thread stuck in plugin code, or a lifecycle thread stuck in a
 * plugin's start() or stop(), must never keep the JVM from exiting.
 */
final class DaemonThreads implements ThreadFactory {

  private final String prefix;
  private final AtomicInteger n = new AtomicInteger();

  DaemonThreads(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable runnable) {
    Thread t = new Thread(runnable, prefix + "-" + n.incrementAndGet());
    t.setDaemon(true);
    return t;
  }
}
