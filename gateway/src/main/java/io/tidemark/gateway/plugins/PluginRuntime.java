package io.tidemark.gateway.plugins;

import io.tidemark.gateway.config.PluginsConfig;
import io.tidemark.gateway.http.ApiException;
import io.tidemark.plugin.api.BehavioralEventProcessor;
import io.tidemark.plugin.api.Operation;
import io.tidemark.plugin.api.ScheduledEventHandler;
import io.tidemark.plugin.api.TidemarkPluginApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads, starts and stops plugins, and holds what the request path needs of them.
 *
 * <p>Lifecycle work (PF4J calls, which may run plugin code) happens on lifecycle threads, one
 * operation at a time under a lock, each with a time limit. The request path never touches PF4J:
 * it reads an immutable snapshot of the started plugins and their operations, replaced whole
 * after every lifecycle change.
 */
public final class PluginRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(PluginRuntime.class);

  private final PluginsConfig config;
  private final Path directory;
  private final TidemarkPluginManager manager;
  private final ExecutorService lifecycle = Executors.newCachedThreadPool(daemonThreads("plugin-lifecycle"));
  private final ReentrantLock lifecycleLock = new ReentrantLock();
  private final AtomicReference<Map<String, StartedPlugin>> started = new AtomicReference<>(Map.of());
  private final Map<String, PluginPool> pools = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
  private final Map<String, String> failedFiles = new ConcurrentHashMap<>();

  private PluginRuntime(PluginsConfig config) {
    this.config = config;
    this.directory = Path.of(config.directory());
    this.manager = new TidemarkPluginManager(directory);
  }

  /**
   * Loads and starts every plugin file of the directory. A file that fails is logged and skipped;
   * start-up fails only when a plugin config marks {@code required} is not started.
   */
  public static Future<PluginRuntime> start(Vertx vertx, PluginsConfig config) {
    PluginRuntime runtime = new PluginRuntime(config);
    Future<PluginRuntime> started = runtime.lifecycle(vertx, "loading the plugins directory", () -> {
      runtime.loadNewFiles();
      runtime.checkRequired();
      return runtime;
    });
    return started.recover(failure -> runtime.close(vertx).transform(closed -> Future.failedFuture(failure)));
  }

  private void checkRequired() {
    List<String> missing = new ArrayList<>();
    config.installed().forEach((id, plugin) -> {
      if (plugin.required() && !started.get().containsKey(id)) {
        PluginWrapper wrapper = manager.getPlugin(id);
        missing.add(id + " (" + (wrapper == null ? "not found in " + directory : describeState(wrapper)) + ")");
      }
    });
    if (!missing.isEmpty()) {
      throw new IllegalStateException("required plugins are not started: " + String.join(", ", missing));
    }
  }

  // ---- the request path

  /** The started plugin with this id, if it is started. */
  public Optional<StartedPlugin> started(String pluginId) {
    return Optional.ofNullable(started.get().get(pluginId));
  }

  /** The started plugin that provides the processor with this id (the first, by plugin id, if several do). */
  public Optional<StartedPlugin> processorOwner(String processorId) {
    return started.get().values().stream()
        .filter(p -> p.processors().containsKey(processorId))
        .min(java.util.Comparator.comparing(StartedPlugin::id));
  }

  PluginPool pool(String pluginId) {
    return pools.computeIfAbsent(pluginId, id -> new PluginPool(id, config.maxConcurrentCalls(),
        config.maxQueuedCalls(), config.maxQueuedCallsPerTenant()));
  }

  /** The started plugin that handles scheduled events of this id (the first, by plugin id, if several do). */
  public Optional<StartedPlugin> handlerOwner(String customEventId) {
    return started.get().values().stream()
        .filter(p -> p.handlers().containsKey(customEventId))
        .min(java.util.Comparator.comparing(StartedPlugin::id));
  }

  /** Counts events a plugin emitted after its call had ended. */
  public AtomicLong droppedCounter(String pluginId) {
    return dropped.computeIfAbsent(pluginId, id -> new AtomicLong());
  }

  public PluginsConfig config() {
    return config;
  }

  // ---- administration

  /** Every loaded plugin; read under the lifecycle lock, as PF4J's manager is not thread-safe. */
  public Future<List<PluginView>> plugins(Vertx vertx) {
    return lifecycle(vertx, "listing plugins", () -> manager.getPlugins().stream()
        .map(this::view)
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .toList());
  }

  public Map<String, String> failedFiles() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(failedFiles));
  }

  public Future<PluginView> startPlugin(Vertx vertx, String id) {
    return lifecycle(vertx, "starting plugin " + id, () -> {
      requireKnown(id);
      PluginState state = startContained(id);
      refreshSnapshot();
      if (state != PluginState.STARTED) {
        throw new ApiException(409, "PLUGIN_START_FAILED",
            "Plugin '" + id + "' did not start: " + describeState(manager.getPlugin(id)));
      }
      return view(manager.getPlugin(id));
    });
  }

  public Future<PluginView> stopPlugin(Vertx vertx, String id) {
    return lifecycle(vertx, "stopping plugin " + id, () -> {
      requireKnown(id);
      // Out of the snapshot first: new calls get 503 while the plugin stops, and so do queued ones.
      started.set(without(started.get(), id));
      PluginPool pool = pools.get(id);
      if (pool != null) {
        pool.stopAccepting();
      }
      manager.stopPlugin(id);
      refreshSnapshot();
      return view(manager.getPlugin(id));
    });
  }

  /** Loads and starts one file dropped into the plugins directory. */
  public Future<PluginView> loadFile(Vertx vertx, String fileName) {
    return lifecycle(vertx, "loading " + fileName, () -> {
      Path file = pluginFile(fileName);
      String id;
      try {
        id = manager.loadPlugin(file);
      } catch (RuntimeException e) {
        throw new ApiException(409, "PLUGIN_LOAD_FAILED", "Cannot load " + fileName + ": " + reason(e));
      }
      failedFiles.remove(fileName);
      startLoaded(id);
      refreshSnapshot();
      return view(manager.getPlugin(id));
    });
  }

  /** Loads and starts every file of the plugins directory not loaded yet. */
  public Future<List<PluginView>> loadNew(Vertx vertx) {
    return lifecycle(vertx, "scanning the plugins directory", () -> loadNewFiles().stream()
        .map(id -> view(manager.getPlugin(id))).toList());
  }

  /** Stops every plugin; calls still running on plugin threads are abandoned. */
  public Future<Void> close(Vertx vertx) {
    Future<Void> stopped = lifecycle(vertx, "stopping all plugins", () -> {
      started.set(Map.of());
      pools.values().forEach(PluginPool::stopAccepting);
      manager.stopPlugins();
      return null;
    });
    return stopped.eventually(() -> {
      pools.values().forEach(PluginPool::shutdown);
      lifecycle.shutdownNow();
      return Future.succeededFuture();
    });
  }

  // ---- lifecycle internals (on a lifecycle thread, holding the lock)

  private List<String> loadNewFiles() throws IOException {
    List<String> loaded = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      LOG.warn("plugins directory {} does not exist; no plugins loaded", directory);
      return loaded;
    }
    List<Path> known = manager.getPlugins().stream().map(w -> w.getPluginPath().toAbsolutePath().normalize()).toList();
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(PluginRuntime::isPluginFile).map(p -> p.toAbsolutePath().normalize()).sorted().toList();
    }
    for (Path file : files) {
      if (known.contains(file)) {
        continue;
      }
      String fileName = file.getFileName().toString();
      try {
        String id = manager.loadPlugin(file);
        failedFiles.remove(fileName);
        loaded.add(id);
      } catch (RuntimeException e) {
        failedFiles.put(fileName, reason(e));
        LOG.error("plugin file {} skipped: {}", fileName, reason(e));
      }
    }
    for (String id : loaded) {
      startLoaded(id);
    }
    refreshSnapshot();
    return loaded;
  }

  private void startLoaded(String id) {
    PluginWrapper wrapper = manager.getPlugin(id);
    if (wrapper.getPluginState() == PluginState.DISABLED) {
      LOG.error("plugin {} not started: {}", id, describeState(wrapper));
      return;
    }
    PluginState state = startContained(id);
    if (state == PluginState.STARTED) {
      LOG.info("plugin {} {} started from {}", id, wrapper.getDescriptor().getVersion(), wrapper.getPluginPath().getFileName());
    } else {
      LOG.error("plugin {} not started: {}", id, describeState(wrapper));
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

  private void refreshSnapshot() {
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
      PluginPool pool = pools.get(id);
      if (pool != null) {
        pool.accept(); // it refused calls while the plugin was stopped
      }
    }
    started.set(Map.copyOf(next));
  }

  /** Runs PF4J work off the event loop, one operation at a time, within the lifecycle time limit. */
  private <T> Future<T> lifecycle(Vertx vertx, String what, Callable<T> work) {
    long timeout = config.lifecycleTimeoutSeconds();
    CompletableFuture<T> done = CompletableFuture.supplyAsync(() -> {
      try {
        if (!lifecycleLock.tryLock(timeout, TimeUnit.SECONDS)) {
          throw new ApiException(503, "PLUGIN_LIFECYCLE_BUSY", "Another plugin operation is still running; retry later");
        }
        try {
          return work.call();
        } finally {
          lifecycleLock.unlock();
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, lifecycle);
    return Future.fromCompletionStage(done, vertx.getOrCreateContext())
        .timeout(timeout, TimeUnit.SECONDS)
        .recover(failure -> Future.failedFuture(failure instanceof java.util.concurrent.TimeoutException
            ? new ApiException(504, "PLUGIN_LIFECYCLE_TIMEOUT", capitalized(what) + " did not finish within " + timeout + " s")
            : unwrap(failure)));
  }

  private void requireKnown(String id) {
    if (manager.getPlugin(id) == null) {
      throw ApiException.notFound("No plugin '" + id + "'");
    }
  }

  private Path pluginFile(String fileName) {
    if (fileName == null || !fileName.matches("[A-Za-z0-9._-]+\\.(jar|zip)")) {
      throw ApiException.badBody("file must be the name of a .jar or .zip in the plugins directory, got '" + fileName + "'");
    }
    Path file = directory.resolve(fileName);
    if (!Files.isRegularFile(file)) {
      throw ApiException.notFound("No file " + fileName + " in the plugins directory");
    }
    return file;
  }

  private PluginView view(PluginWrapper wrapper) {
    StartedPlugin running = started.get().get(wrapper.getPluginId());
    List<String> operations = running == null
        ? manager.getExtensionClassNames(wrapper.getPluginId()).stream().sorted().toList()
        : Stream.of(running.operations(), running.processors(), running.handlers())
            .flatMap(m -> m.keySet().stream()).sorted().toList();
    AtomicLong droppedEvents = dropped.get(wrapper.getPluginId());
    PluginPool pool = pools.get(wrapper.getPluginId());
    return new PluginView(
        wrapper.getPluginId(),
        wrapper.getDescriptor().getVersion(),
        wrapper.getPluginState().toString(),
        wrapper.getDescriptor().getRequires(),
        wrapper.getPluginPath().getFileName().toString(),
        running != null,
        operations,
        wrapper.getPluginState() == PluginState.STARTED ? null : describeState(wrapper),
        pool == null ? 0 : pool.inFlight(),
        pool == null ? 0 : pool.queued(),
        droppedEvents == null ? 0 : droppedEvents.get());
  }

  private String describeState(PluginWrapper wrapper) {
    PluginState state = wrapper.getPluginState();
    if (state == PluginState.DISABLED && !manager.getVersionManager()
        .checkVersionConstraint(TidemarkPluginApi.VERSION, wrapper.getDescriptor().getRequires())) {
      return "requires plugin API " + wrapper.getDescriptor().getRequires() + ", this gateway provides "
          + TidemarkPluginApi.VERSION;
    }
    if (wrapper.getFailedException() != null) {
      return state + ": " + reason(wrapper.getFailedException());
    }
    return state.toString();
  }

  private static boolean isPluginFile(Path p) {
    String name = p.getFileName().toString();
    return Files.isRegularFile(p) && (name.endsWith(".jar") || name.endsWith(".zip"));
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return root == e ? message : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + message + ")";
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static <V> Map<String, V> without(Map<String, V> map, String key) {
    Map<String, V> copy = new HashMap<>(map);
    copy.remove(key);
    return Map.copyOf(copy);
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
