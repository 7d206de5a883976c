package io.tidemark.gateway.config;

import java.util.UUID;

/** A tenant: its stream is keyed by {@code locator}; {@code orgId} keys the {@code /v2} APIs. */
public record TenantConfig(String name, UUID locator, Integer orgId, Integer parentOrgId) {

  public TenantConfig {
    parentOrgId = parentOrgId == null ? -1 : parentOrgId;
  }
}
