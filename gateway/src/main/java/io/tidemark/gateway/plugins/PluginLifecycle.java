package io.tidemark.gateway.plugins;

import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.plugin.api.BehavioralEventProcessor;
import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.ScheduledEventHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads, starts and stops plugins through PF4J, and publishes the result to the
 * {@link PluginRegistry} after every change.
 *
 * <p>Not thread-safe, like PF4J's manager: every method must run inside
 * {@link LifecycleRunner#run}, which runs one at a time off the event loop. A plugin that throws
 * from start() only ends up FAILED; it never fails the operation or the other plugins.
 */
final class PluginLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(PluginLifecycle.class);

  private final PluginsConfig config;
  private final TidemarkPluginManager manager;
  private final PluginDirectory directory;
  private final PluginRegistry registry;
  private final PluginPools pools;

  PluginLifecycle(PluginsConfig config, TidemarkPluginManager manager, PluginDirectory directory,
      PluginRegistry registry, PluginPools pools) {
    this.config = config;
    this.manager = manager;
    this.directory = directory;
    this.registry = registry;
    this.pools = pools;
  }

  /**
   * Loads and starts every file of the directory not loaded yet; a file that fails to load is
   * recorded in the directory's failed files and skipped. Returns the ids loaded.
   */
  List<String> loadNewFiles() throws IOException {
    List<String> loaded = new ArrayList<>();
    if (!directory.exists()) {
      LOG.warn("plugins directory {} does not exist; no plugins loaded", directory.path());
      return loaded;
    }
    List<Path> known = manager.getPlugins().stream().map(w -> w.getPluginPath().toAbsolutePath().normalize()).toList();
    for (Path file : directory.pluginFiles()) {
      if (known.contains(file)) {
        continue;
      }
      String fileName = file.getFileName().toString();
      try {
        String id = manager.loadPlugin(file);
        directory.loaded(fileName);
        loaded.add(id);
      } catch (RuntimeException e) {
        directory.failed(fileName, PluginProblems.reason(e));
        LOG.error("plugin file {} skipped: {}", fileName, PluginProblems.reason(e));
      }
    }
    for (String id : loaded) {
      startLoaded(id);
    }
    refreshRegistry();
    return loaded;
  }

  /** Fails start-up when a plugin the config marks {@code required} is not started, naming why. */
  void checkRequired() {
    List<String> missing = new ArrayList<>();
    config.installed().forEach((id, plugin) -> {
      if (plugin.required() && !registry.isStarted(id)) {
        PluginWrapper wrapper = manager.getPlugin(id);
        missing.add(id + " (" + (wrapper == null ? "not found in " + directory.path() : problem(wrapper)) + ")");
      }
    });
    if (!missing.isEmpty()) {
      throw new IllegalStateException("required plugins are not started: " + String.join(", ", missing));
    }
  }

  /** Loads and starts one file of the directory; 409 when PF4J cannot load it. Returns its id. */
  String load(String fileName) {
    Path file = directory.file(fileName);
    String id;
    try {
      id = manager.loadPlugin(file);
    } catch (RuntimeException e) {
      throw new ApiException(409, "PLUGIN_LOAD_FAILED", "Cannot load " + fileName + ": " + PluginProblems.reason(e));
    }
    directory.loaded(fileName);
    startLoaded(id);
    refreshRegistry();
    return id;
  }

  /** Starts a loaded plugin; 404 when unknown, 409 naming why when it does not start. */
  void start(String id) {
    requireKnown(id);
    PluginState state = startContained(id);
    refreshRegistry();
    if (state != PluginState.STARTED) {
      throw new ApiException(409, "PLUGIN_START_FAILED",
          "Plugin '" + id + "' did not start: " + problem(manager.getPlugin(id)));
    }
  }

  /** Stops a plugin; 404 when unknown. */
  void stop(String id) {
    requireKnown(id);
    // Out of the registry first: new calls get 503 while the plugin stops, and so do queued ones.
    registry.remove(id);
    pools.stopAccepting(id);
    manager.stopPlugin(id);
    refreshRegistry();
  }

  /** Stops every plugin, refusing calls first. */
  void stopAll() {
    registry.clear();
    pools.stopAcceptingAll();
    manager.stopPlugins();
  }

  private void startLoaded(String id) {
    PluginWrapper wrapper = manager.getPlugin(id);
    if (wrapper.getPluginState() == PluginState.DISABLED) {
      LOG.error("plugin {} not started: {}", id, problem(wrapper));
      return;
    }
    PluginState state = startContained(id);
    if (state == PluginState.STARTED) {
      LOG.info("plugin {} {} started from {}", id, wrapper.getDescriptor().getVersion(), wrapper.getPluginPath().getFileName());
    } else {
      LOG.error("plugin {} not started: {}", id, problem(wrapper));
    }
  }

  /** PF4J rethrows what a plugin's start() throws; here it only marks that plugin FAILED. */
  private PluginState startContained(String id) {
    PluginWrapper wrapper = manager.getPlugin(id);
    try {
      return manager.startPlugin(id);
    } catch (RuntimeException | LinkageError e) {
      wrapper.setPluginState(PluginState.FAILED);
      if (wrapper.getFailedException() == null) {
        wrapper.setFailedException(e);
      }
      return PluginState.FAILED;
    }
  }

  /** Rebuilds the request path's view of the started plugins from PF4J's state, whole. */
  private void refreshRegistry() {
    Map<String, StartedPlugin> next = new HashMap<>();
    for (PluginWrapper wrapper : manager.getPlugins(PluginState.STARTED)) {
      String id = wrapper.getPluginId();
      Map<String, Operation> operations = new LinkedHashMap<>();
      for (Operation op : manager.getExtensions(Operation.class, id)) {
        Operation previous = operations.putIfAbsent(op.name(), op);
        if (previous != null) {
          LOG.warn("plugin {} has two operations named {}; {} is ignored", id, op.name(), op.getClass().getName());
        }
      }
      Map<String, BehavioralEventProcessor> processors = new LinkedHashMap<>();
      for (BehavioralEventProcessor processor : manager.getExtensions(BehavioralEventProcessor.class, id)) {
        processors.putIfAbsent(processor.id(), processor);
      }
      Map<String, ScheduledEventHandler> handlers = new LinkedHashMap<>();
      for (ScheduledEventHandler handler : manager.getExtensions(ScheduledEventHandler.class, id)) {
        handlers.putIfAbsent(handler.customEventId(), handler);
      }
      next.put(id, new StartedPlugin(id, wrapper.getPluginClassLoader(), Map.copyOf(operations),
          Map.copyOf(processors), Map.copyOf(handlers), config.installed(id).config()));
      pools.accept(id); // its pool refused calls while the plugin was stopped
    }
    registry.replace(Map.copyOf(next));
  }

  private void requireKnown(String id) {
    if (manager.getPlugin(id) == null) {
      throw ApiException.notFound("No plugin '" + id + "'");
    }
  }

  private String problem(PluginWrapper wrapper) {
    return PluginProblems.describe(manager, wrapper);
  }
}
