package io.tidemark.gateway.plugins;

import io.tidemark.plugin.api.TidemarkPluginApi;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Says in one line why a plugin is not started or a file did not load, for logs, 409 messages
 * and the {@code problem} and {@code failedFiles} of the admin API. PF4J's exceptions wrap the
 * useful cause (a missing class, a bad manifest) a few levels deep, so the root cause is named.
 */
final class PluginProblems {

  private PluginProblems() {}

  /** The plugin's state, with the reason when it is disabled by its API version or failed. */
  static String describe(PluginManager manager, PluginWrapper wrapper) {
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

  /** The exception's message, followed by its root cause when that is another exception. */
  static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return root == e ? message : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + message + ")";
  }
}
