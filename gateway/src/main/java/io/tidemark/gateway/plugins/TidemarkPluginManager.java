package io.tidemark.gateway.plugins;

import io.tidemark.plugin.api.TidemarkPluginApi;
import java.nio.file.Path;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.RuntimeMode;

/**
 * PF4J in deployment mode, checking each plugin's {@code Plugin-Requires} against the plugin API
 * version. Plugins load their own classes first (so a plugin may bundle, say, another Jackson),
 * except the plugin API, which they must share with the gateway.
 */
final class TidemarkPluginManager extends DefaultPluginManager {

  private static final String API_PACKAGE = "io.tidemark.plugin.api.";

  TidemarkPluginManager(Path directory) {
    super(directory);
    setSystemVersion(TidemarkPluginApi.VERSION);
  }

  @Override
  public RuntimeMode getRuntimeMode() {
    return RuntimeMode.DEPLOYMENT;
  }

  @Override
  protected PluginLoader createPluginLoader() {
    return new CompoundPluginLoader()
        .add(new JarPluginLoader(this) {
          @Override
          public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
            PluginClassLoader loader = new ApiSharingClassLoader(pluginManager, descriptor);
            loader.addFile(pluginPath.toFile());
            return loader;
          }
        })
        // Zips are unpacked into a folder with classes/ and lib/*.jar.
        .add(new DefaultPluginLoader(this) {
          @Override
          protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
            return new ApiSharingClassLoader(pluginManager, descriptor);
          }
        });
  }

  /**
   * Plugin-first, but the plugin API always comes from the gateway: a plugin that bundled its
   * own copy would otherwise implement an {@code Operation} the gateway cannot call.
   */
  private static final class ApiSharingClassLoader extends PluginClassLoader {

    ApiSharingClassLoader(PluginManager manager, PluginDescriptor descriptor) {
      super(manager, descriptor, TidemarkPluginManager.class.getClassLoader());
    }

    @Override
    public Class<?> loadClass(String name) throws ClassNotFoundException {
      if (name.startsWith(API_PACKAGE)) {
        return getParent().loadClass(name);
      }
      return super.loadClass(name);
    }
  }
}
