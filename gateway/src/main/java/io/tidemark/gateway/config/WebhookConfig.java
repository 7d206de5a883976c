package io.tidemark.gateway.config;

/** A webhook that ingests behavioral events into a tenant, signed with {@code secret}. */
public record WebhookConfig(String id, String tenant, String secret) {}
