package io.tidemark.gateway.config;

import com.fasterxml.jackson.annotation.JsonValue;

/** The permissions of contract §1; their wire names are part of the contract. */
public enum Permission {
  EVENTS_READ("events:read"),
  EVENTS_LIST("events:list"),
  EVENTS_WRITE("events:write"),
  EVENT_LOGS_READ("event_logs:read"),
  EVENT_DEFINITIONS_WRITE("event_definitions:write"),
  CUSTOMER_GROUP_WRITE("customer_group:write"),
  EVENTS_INGEST("events:ingest"),
  EVENTS_SUBSCRIBE("events:subscribe"),
  ADMIN("admin");

  private final String wireName;

  Permission(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }
}
