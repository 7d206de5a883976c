package io.tidemark.gateway.plugins;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.gateway.logging.LogContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs plugin code (operations, processors, handlers) on its plugin's threads, never on the event
 * loop, with the plugin's class loader as the context class loader, and gives up after a time
 * limit. When the plugin's threads are all busy a call waits its turn in the plugin's fair queue
 * (see {@link PluginPool}) for at most {@code plugins.maxQueueWaitMillis}.
 */
public final class PluginCalls {

  private final Vertx vertx;
  private final PluginRuntime runtime;
  private final PluginCallMetrics metrics;

  public PluginCalls(Vertx vertx, PluginRuntime runtime, MeterRegistry registry) {
    this.vertx = vertx;
    this.runtime = runtime;
    this.metrics = new PluginCallMetrics(registry, runtime);
  }

  /**
   * Completes on the caller's context with what {@code work} returns or throws; or fails with 503
   * {@code PLUGIN_BUSY} when the plugin's queue (or this tenant's share of it) is full, 503
   * {@code PLUGIN_QUEUE_TIMEOUT} when no thread came free in time, 503 {@code PLUGIN_STOPPED}
   * when the plugin stopped first, or 504 {@code PLUGIN_TIMEOUT} {@code timeoutMillis} after the
   * work began (time spent queued does not count).
   *
   * @param tenant whose call it is: tenants take turns in the queue
   * @param op the operation, processors or handler called, as metrics label it ({@code issue-policy})
   * @param what names the work in messages, such as {@code Operation policy-lifecycle:issue-policy}
   */
  public <T> Future<T> run(StartedPlugin plugin, UUID tenant, String op, String what, Callable<T> work, long timeoutMillis) {
    PluginPool pool = runtime.pool(plugin.id());
    Call<T> call = new Call<>(plugin, tenant, op, what, work, timeoutMillis, pool, vertx.getOrCreateContext());
    switch (pool.admit(tenant, call)) {
      case START -> call.start();
      case QUEUED -> call.waitAtMost(runtime.config().maxQueueWaitMillis());
      case FULL -> {
        return call.refused(busy("Plugin '" + plugin.id() + "' has " + runtime.config().maxQueuedCalls()
            + " calls waiting, its limit; retry later"));
      }
      case TENANT_FULL -> {
        return call.refused(busy("Plugin '" + plugin.id() + "' has " + runtime.config().maxQueuedCallsPerTenant()
            + " calls of this tenant waiting, a tenant's limit; retry later"));
      }
      case STOPPED -> {
        return call.refused(stoppedError(plugin));
      }
    }
    return call.promise.future();
  }

  private static ApiException busy(String message) {
    return new ApiException(503, "PLUGIN_BUSY", message).retryAfter(1);
  }

  private static ApiException stoppedError(StartedPlugin plugin) {
    return new ApiException(503, "PLUGIN_STOPPED", "Plugin '" + plugin.id() + "' stopped before the call could run");
  }

  /**
   * One call from admission to outcome. Its promise and timers are touched only on the caller's
   * context, so the outcomes race there and the first wins; whether it still waits in the queue
   * is decided under the pool's lock, so it either starts or gives up waiting, never both.
   */
  private final class Call<T> implements PluginPool.Waiter {

    private final StartedPlugin plugin;
    private final UUID tenant;
    private final String op;
    private final String what;
    private final Callable<T> work;
    private final long timeoutMillis;
    private final PluginPool pool;
    private final Context context;
    private final Promise<T> promise = Promise.promise();
    /** The caller's request fields: the plugin's own log lines carry its request id. */
    private final Map<String, String> logFields;
    /**
     * Taken by the work when it begins, or by a timeout that fires before it began (the executor
     * had not picked it up yet): whoever takes it owns the slot's release, so it is freed once.
     */
    private final AtomicBoolean claimed = new AtomicBoolean();
    private long queueTimer = -1;
    private final long admitted = System.nanoTime();
    /** When the plugin's code began; 0 while it has not. */
    private volatile long began;

    Call(StartedPlugin plugin, UUID tenant, String op, String what, Callable<T> work, long timeoutMillis, PluginPool pool,
        Context context) {
      this.plugin = plugin;
      this.tenant = tenant;
      this.op = op;
      this.what = what;
      this.work = work;
      this.timeoutMillis = timeoutMillis;
      this.pool = pool;
      this.context = context;
      Map<String, String> fields = new HashMap<>(LogContext.current());
      fields.put("plugin", plugin.id());
      this.logFields = Map.copyOf(fields);
      // Every outcome is counted once, when the caller learns it (the promise's first completion wins).
      promise.future().onComplete(this::count);
    }

    /** Refused at admission: it never waited nor ran. */
    Future<T> refused(ApiException refusal) {
      promise.tryFail(refusal);
      return promise.future();
    }

    private void count(io.vertx.core.AsyncResult<T> outcome) {
      long now = System.nanoTime();
      long start = began;
      PluginCallMetrics.Outcome label;
      if (outcome.succeeded()) {
        label = PluginCallMetrics.Outcome.OK;
      } else if (outcome.cause() instanceof ApiException api && api.status() == 504 && "PLUGIN_TIMEOUT".equals(api.code())) {
        label = PluginCallMetrics.Outcome.TIMEOUT;
      } else if (start == 0) {
        label = PluginCallMetrics.Outcome.REJECTED;
      } else {
        label = PluginCallMetrics.Outcome.ERROR;
      }
      metrics.call(plugin.id(), op, label, now - (start == 0 ? admitted : start));
    }

    /** Queued: gives up after {@code millis} unless a slot came first. */
    void waitAtMost(long millis) {
      onContext(() -> queueTimer = vertx.setTimer(millis, id -> {
        if (pool.withdraw(tenant, this)) {
          promise.tryFail(new ApiException(503, "PLUGIN_QUEUE_TIMEOUT", what + " waited " + millis
              + " ms for plugin '" + plugin.id() + "' to have a free thread; retry later").retryAfter(1));
        }
      }));
    }

    /** Holds a slot: runs the work on a plugin thread; its time limit starts now. */
    @Override
    public void start() {
      long now = System.nanoTime();
      metrics.waited(plugin.id(), now - admitted);
      began = now;
      java.util.concurrent.Future<?> task;
      try {
        task = pool.submit(this::execute);
      } catch (RejectedExecutionException e) {
        began = 0; // it never ran: rejected
        claimed.set(true);
        pool.release();
        onContext(() -> promise.tryFail(stoppedError(plugin)));
        return;
      }
      onContext(() -> {
        vertx.cancelTimer(queueTimer);
        long timer = vertx.setTimer(timeoutMillis, id -> {
          if (promise.tryFail(new ApiException(504, "PLUGIN_TIMEOUT", what + " did not finish within " + timeoutMillis + " ms"))) {
            if (claimed.compareAndSet(false, true)) {
              pool.release();
            }
            task.cancel(true); // interrupt it; a plugin that ignores interrupts keeps its thread and slot
          }
        });
        promise.future().onComplete(done -> vertx.cancelTimer(timer));
      });
    }

    @Override
    public void stopped() {
      onContext(() -> {
        vertx.cancelTimer(queueTimer);
        promise.tryFail(stoppedError(plugin));
      });
    }

    private void execute() {
      if (!claimed.compareAndSet(false, true)) {
        return; // timed out before it began; the timeout freed the slot
      }
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(plugin.classLoader());
      try {
        T result = LogContext.call(logFields, work);
        context.runOnContext(v -> promise.tryComplete(result));
      } catch (Throwable failure) {
        context.runOnContext(v -> promise.tryFail(failure));
      } finally {
        thread.setContextClassLoader(previous);
        pool.release();
      }
    }

    private void onContext(Runnable action) {
      if (Vertx.currentContext() == context) {
        action.run();
      } else {
        context.runOnContext(v -> action.run());
      }
    }
  }
}
