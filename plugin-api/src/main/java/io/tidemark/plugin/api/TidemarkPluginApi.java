package io.tidemark.plugin.api;

/**
 * The version of this API. A plugin states the versions it works with in its manifest, for
 * example {@code Plugin-Requires: >=1.0.0 & <2.0.0}; the gateway refuses to start a plugin whose
 * requirement this version does not meet.
 */
public final class TidemarkPluginApi {

  /** Semantic version: minor releases add, only a major release removes or changes. */
  public static final String VERSION = "1.0.0";

  private TidemarkPluginApi() {}
}
