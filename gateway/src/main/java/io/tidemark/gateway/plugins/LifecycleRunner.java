package io.tidemark.gateway.plugins;

import io.tidemark.gateway.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs PF4J work off the event loop, one operation at a time, within the lifecycle time limit.
 *
 * <p>PF4J calls may run plugin code (start(), stop(), static initialisers), which may hang, so each
 * runs on a thread of its own and the caller stops waiting after {@code timeoutSeconds}. One at a
 * time because PF4J's manager is not thread-safe; an operation waits for the lock at most the same
 * limit, so it never queues for ever behind a plugin that may never return.
 */
final class LifecycleRunner {

  private final long timeoutSeconds;
  private final ExecutorService threads = Executors.newCachedThreadPool(new DaemonThreads("plugin-lifecycle"));
  private final ReentrantLock lock = new ReentrantLock();

  LifecycleRunner(long timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Completes on the caller's context with what {@code work} returns or throws, or fails with 503
   * {@code PLUGIN_LIFECYCLE_BUSY} or 504 {@code PLUGIN_LIFECYCLE_TIMEOUT}.
   *
   * @param what names the work in the timeout message, such as {@code starting plugin x}
   */
  <T> Future<T> run(Vertx vertx, String what, Callable<T> work) {
    CompletableFuture<T> done = CompletableFuture.supplyAsync(() -> {
      try {
        if (!lock.tryLock(timeoutSeconds, TimeUnit.SECONDS)) {
          throw new ApiException(503, "PLUGIN_LIFECYCLE_BUSY", "Another plugin operation is still running; retry later");
        }
        try {
          return work.call();
        } finally {
          lock.unlock();
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, threads);
    return Future.fromCompletionStage(done, vertx.getOrCreateContext())
        .timeout(timeoutSeconds, TimeUnit.SECONDS)
        .recover(failure -> Future.failedFuture(failure instanceof TimeoutException
            ? new ApiException(504, "PLUGIN_LIFECYCLE_TIMEOUT", capitalized(what) + " did not finish within " + timeoutSeconds + " s")
            : unwrap(failure)));
  }

  /** Abandons a lifecycle thread still stuck in plugin code; its threads are daemons. */
  void shutdown() {
    threads.shutdownNow();
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
