package io.bulwark.http.auth;

import io.bulwark.domain.tenant.Role;
import io.bulwark.domain.tenant.TenantLimits;
import java.util.Set;

/**
 * Who is calling: the platform key, or one tenant's API key with its roles and the tenant's own
 * rate limits ({@code limits} null when the tenant uses the defaults).
 */
public record Principal(
    boolean platform, String tenantId, String keyId, Set<Role> roles, TenantLimits limits) {

  public static final Principal PLATFORM = new Principal(true, null, null, Set.of(), null);

  public static Principal tenantKey(
      String tenantId, String keyId, Set<Role> roles, TenantLimits limits) {
    return new Principal(false, tenantId, keyId, Set.copyOf(roles), limits);
  }

  public boolean belongsTo(String tenant) {
    return !platform && tenantId.equals(tenant);
  }

  public boolean hasAnyRole(Role... wanted) {
    for (Role role : wanted) {
      if (roles.contains(role)) {
        return true;
      }
    }
    return false;
  }
}
