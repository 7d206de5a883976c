package io.tidemark.gateway.plugins;

import io.tidemark.gateway.http.ApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The plugins directory: which files in it are plugins, which file an admin names, and which
 * files failed to load and why (kept until the file loads, so {@code GET /admin/plugins} shows
 * a broken file dropped in since start-up, which PF4J itself forgets).
 */
final class PluginDirectory {

  private final Path path;
  private final Map<String, String> failedFiles = new ConcurrentHashMap<>();

  PluginDirectory(Path path) {
    this.path = path;
  }

  Path path() {
    return path;
  }

  boolean exists() {
    return Files.isDirectory(path);
  }

  /** Every .jar and .zip file in it, as absolute normalized paths (as PF4J keeps them), sorted. */
  List<Path> pluginFiles() throws IOException {
    try (Stream<Path> list = Files.list(path)) {
      return list.filter(PluginDirectory::isPluginFile).map(p -> p.toAbsolutePath().normalize()).sorted().toList();
    }
  }

  /**
   * The file an admin named. Only a plain file name is accepted (no path separator), so a request
   * can never make the gateway load code from outside the plugins directory.
   */
  Path file(String fileName) {
    if (fileName == null || !fileName.matches("[A-Za-z0-9._-]+\\.(jar|zip)")) {
      throw ApiException.badBody("file must be the name of a .jar or .zip in the plugins directory, got '" + fileName + "'");
    }
    Path file = path.resolve(fileName);
    if (!Files.isRegularFile(file)) {
      throw ApiException.notFound("No file " + fileName + " in the plugins directory");
    }
    return file;
  }

  void failed(String fileName, String reason) {
    failedFiles.put(fileName, reason);
  }

  void loaded(String fileName) {
    failedFiles.remove(fileName);
  }

  /** Files that failed to load and why, as of now. */
  Map<String, String> failedFiles() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(failedFiles));
  }

  private static boolean isPluginFile(Path p) {
    String name = p.getFileName().toString();
    return Files.isRegularFile(p) && (name.endsWith(".jar") || name.endsWith(".zip"));
  }
}
