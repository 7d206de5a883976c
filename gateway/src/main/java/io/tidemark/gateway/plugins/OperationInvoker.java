package io.tidemark.gateway.plugins;

import io.tidemark.gateway.http.ApiException;
import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.OperationResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs an operation on its plugin's threads, never on the event loop, with the plugin's class
 * loader as the context class loader, and gives up after the route's time limit.
 */
final class OperationInvoker {

  private final Vertx vertx;
  private final PluginRuntime runtime;

  OperationInvoker(Vertx vertx, PluginRuntime runtime) {
    this.vertx = vertx;
    this.runtime = runtime;
  }

  /** Completes on the caller's context with the result, the plugin's exception, 503 (busy) or 504 (timeout). */
  Future<OperationResult> invoke(StartedPlugin plugin, String operationName, Operation operation,
      CallContext call, long timeoutMillis) {
    PluginPool pool = runtime.pool(plugin.id());
    if (!pool.tryAcquire()) {
      return Future.failedFuture(new ApiException(503, "PLUGIN_BUSY", "Plugin '" + plugin.id()
          + "' is already running its limit of " + pool.size() + " calls; retry later"));
    }
    Context context = vertx.getOrCreateContext();
    Promise<OperationResult> promise = Promise.promise();
    java.util.concurrent.Future<?> task;
    try {
      task = pool.submit(() -> run(plugin, operation, call, pool, context, promise));
    } catch (RejectedExecutionException e) {
      pool.release();
      return Future.failedFuture(new ApiException(503, "PLUGIN_STOPPED", "Plugin '" + plugin.id() + "' is shutting down"));
    }
    // The timer and the completion both run on this context, so exactly one of them wins.
    long timer = vertx.setTimer(timeoutMillis, id -> {
      if (promise.tryFail(new ApiException(504, "PLUGIN_TIMEOUT", "Operation " + plugin.id() + ":" + operationName
          + " did not finish within " + timeoutMillis + " ms"))) {
        task.cancel(true); // interrupt it; a plugin that ignores interrupts keeps its thread and permit
      }
    });
    return promise.future().onComplete(done -> vertx.cancelTimer(timer));
  }

  private static void run(StartedPlugin plugin, Operation operation, CallContext call, PluginPool pool,
      Context context, Promise<OperationResult> promise) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(plugin.classLoader());
    try {
      OperationResult result = operation.execute(call);
      context.runOnContext(v -> promise.tryComplete(result));
    } catch (Throwable failure) {
      context.runOnContext(v -> promise.tryFail(failure));
    } finally {
      thread.setContextClassLoader(previous);
      pool.release();
    }
  }
}
