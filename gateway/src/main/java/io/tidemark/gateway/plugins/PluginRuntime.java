package io.tidemark.gateway.plugins;

import io.tidemark.gateway.config.PluginsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plugins as the rest of the gateway sees them: one object to pass around, in front of the
 * parts that do the work, so call sites need not know how they are split.
 *
 * <ul>
 *   <li>{@link PluginRegistry}: the started plugins, read by the request path without a lock;
 *   <li>{@link PluginPools}: each plugin's call threads and dropped-event count;
 *   <li>{@link PluginLifecycle}: load, start and stop through PF4J;
 *   <li>{@link PluginDirectory}: the plugin files, and those that failed to load;
 *   <li>{@link PluginViews}: plugins as the admin API shows them;
 *   <li>{@link LifecycleRunner}: lifecycle work off the event loop, one at a time, time-limited.
 * </ul>
 */
public final class PluginRuntime {

  private final PluginsConfig config;
  private final PluginRegistry registry = new PluginRegistry();
  private final PluginDirectory directory;
  private final PluginPools pools;
  private final PluginLifecycle lifecycle;
  private final PluginViews views;
  private final LifecycleRunner runner;

  private PluginRuntime(PluginsConfig config) {
    this.config = config;
    this.directory = new PluginDirectory(Path.of(config.directory()));
    this.pools = new PluginPools(config);
    TidemarkPluginManager manager = new TidemarkPluginManager(directory.path());
    this.lifecycle = new PluginLifecycle(config, manager, directory, registry, pools);
    this.views = new PluginViews(manager, registry, pools);
    this.runner = new LifecycleRunner(config.lifecycleTimeoutSeconds());
  }

  /**
   * Loads and starts every plugin file of the directory. A file that fails is logged and skipped;
   * start-up fails only when a plugin config marks {@code required} is not started.
   */
  public static Future<PluginRuntime> start(Vertx vertx, PluginsConfig config) {
    PluginRuntime runtime = new PluginRuntime(config);
    Future<PluginRuntime> started = runtime.runner.run(vertx, "loading the plugins directory", () -> {
      runtime.lifecycle.loadNewFiles();
      runtime.lifecycle.checkRequired();
      return runtime;
    });
    return started.recover(failure -> runtime.close(vertx).transform(closed -> Future.failedFuture(failure)));
  }

  /** The plugins config marks {@code required} that are not started now (an admin may have stopped one). */
  public List<String> requiredNotStarted() {
    return config.installed().entrySet().stream()
        .filter(e -> e.getValue().required() && started(e.getKey()).isEmpty())
        .map(Map.Entry::getKey).sorted().toList();
  }

  // ---- the request path

  /** The started plugin with this id, if it is started. */
  public Optional<StartedPlugin> started(String pluginId) {
    return registry.started(pluginId);
  }

  /** The started plugin that provides the processor with this id (the first, by plugin id, if several do). */
  public Optional<StartedPlugin> processorOwner(String processorId) {
    return registry.processorOwner(processorId);
  }

  /** The started plugin that handles scheduled events of this id (the first, by plugin id, if several do). */
  public Optional<StartedPlugin> handlerOwner(String customEventId) {
    return registry.handlerOwner(customEventId);
  }

  PluginPool pool(String pluginId) {
    return pools.pool(pluginId);
  }

  /** Counts events a plugin emitted after its call had ended. */
  public AtomicLong droppedCounter(String pluginId) {
    return pools.droppedCounter(pluginId);
  }

  public PluginsConfig config() {
    return config;
  }

  // ---- administration: PF4J is read and changed only through the runner

  /** Every loaded plugin; read through the runner too, as PF4J's manager is not thread-safe. */
  public Future<List<PluginView>> plugins(Vertx vertx) {
    return runner.run(vertx, "listing plugins", views::all);
  }

  public Map<String, String> failedFiles() {
    return directory.failedFiles();
  }

  public Future<PluginView> startPlugin(Vertx vertx, String id) {
    return runner.run(vertx, "starting plugin " + id, () -> {
      lifecycle.start(id);
      return views.of(id);
    });
  }

  public Future<PluginView> stopPlugin(Vertx vertx, String id) {
    return runner.run(vertx, "stopping plugin " + id, () -> {
      lifecycle.stop(id);
      return views.of(id);
    });
  }

  /** Loads and starts one file dropped into the plugins directory. */
  public Future<PluginView> loadFile(Vertx vertx, String fileName) {
    return runner.run(vertx, "loading " + fileName, () -> views.of(lifecycle.load(fileName)));
  }

  /** Loads and starts every file of the plugins directory not loaded yet. */
  public Future<List<PluginView>> loadNew(Vertx vertx) {
    return runner.run(vertx, "scanning the plugins directory",
        () -> lifecycle.loadNewFiles().stream().map(views::of).toList());
  }

  /** Stops every plugin; calls still running on plugin threads are abandoned. */
  public Future<Void> close(Vertx vertx) {
    Future<Void> stopped = runner.run(vertx, "stopping all plugins", () -> {
      lifecycle.stopAll();
      return null;
    });
    return stopped.eventually(() -> {
      pools.shutdownAll();
      runner.shutdown();
      return Future.succeededFuture();
    });
  }
}
