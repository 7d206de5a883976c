package io.tidemark.gateway.config;

/**
 * The event store's group commit.
 *
 * @param maxBatchEvents most events one commit carries; a single larger append still commits alone
 * @param lingerMillis how long the first append of an idle appender waits for company; 0 (the
 *     default) commits at once, and appends that arrive while a commit is in flight share the next
 */
public record StoreConfig(Integer maxBatchEvents, Integer lingerMillis) {

  public StoreConfig {
    maxBatchEvents = maxBatchEvents == null ? 1000 : maxBatchEvents;
    lingerMillis = lingerMillis == null ? 0 : lingerMillis;
  }

  static StoreConfig defaults() {
    return new StoreConfig(null, null);
  }
}
