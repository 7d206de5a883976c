package io.tidemark.gateway.plugins;

import io.tidemark.gateway.http.ApiException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs plugin code (operations, processors) on its plugin's threads, never on the event loop,
 * with the plugin's class loader as the context class loader, and gives up after a time limit.
 */
public final class PluginCalls {

  private final Vertx vertx;
  private final PluginRuntime runtime;

  public PluginCalls(Vertx vertx, PluginRuntime runtime) {
    this.vertx = vertx;
    this.runtime = runtime;
  }

  /**
   * Completes on the caller's context with what {@code work} returns or throws, or fails with 503
   * when the plugin's threads are all busy, or 504 after {@code timeoutMillis}.
   *
   * @param what names the work in messages, such as {@code Operation policy-lifecycle:issue-policy}
   */
  public <T> Future<T> run(StartedPlugin plugin, String what, Callable<T> work, long timeoutMillis) {
    PluginPool pool = runtime.pool(plugin.id());
    if (!pool.tryAcquire()) {
      return Future.failedFuture(new ApiException(503, "PLUGIN_BUSY", "Plugin '" + plugin.id()
          + "' is already running its limit of " + pool.size() + " calls; retry later"));
    }
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    java.util.concurrent.Future<?> task;
    try {
      task = pool.submit(() -> execute(plugin, work, pool, context, promise));
    } catch (RejectedExecutionException e) {
      pool.release();
      return Future.failedFuture(new ApiException(503, "PLUGIN_STOPPED", "Plugin '" + plugin.id() + "' is shutting down"));
    }
    // The timer and the completion both run on this context, so exactly one of them wins.
    long timer = vertx.setTimer(timeoutMillis, id -> {
      if (promise.tryFail(new ApiException(504, "PLUGIN_TIMEOUT", what + " did not finish within " + timeoutMillis + " ms"))) {
        task.cancel(true); // interrupt it; a plugin that ignores interrupts keeps its thread and permit
      }
    });
    return promise.future().onComplete(done -> vertx.cancelTimer(timer));
  }

  private static <T> void execute(StartedPlugin plugin, Callable<T> work, PluginPool pool, Context context,
      Promise<T> promise) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(plugin.classLoader());
    try {
      T result = work.call();
      context.runOnContext(v -> promise.tryComplete(result));
    } catch (Throwable failure) {
      context.runOnContext(v -> promise.tryFail(failure));
    } finally {
      thread.setContextClassLoader(previous);
      pool.release();
    }
  }
}
