package io.tidemark.gateway.store;

/** The channel each commit {@code NOTIFY}s with the tenants it appended to: one per database schema. */
public final class LiveChannel {

  // PostgreSQL identifiers, channel names included, have at most 63 bytes.
  private static final int MAX_BYTES = 63;

  private LiveChannel() {}

  public static String of(String schema) {
    String channel = "tidemark_events_" + schema;
    return channel.length() > MAX_BYTES ? channel.substring(0, MAX_BYTES) : channel;
  }
}
