package io.bulwark.http.auth;

import io.bulwark.domain.tenant.Role;
import java.util.Set;

/** Who is calling: the platform key, or one tenant's API key with its roles. */
public record Principal(boolean platform, String tenantId, String keyId, Set<Role> roles) {

  public static final Principal PLATFORM = new Principal(true, null, null, Set.of());

  public static Principal tenantKey(String tenantId, String keyId, Set<Role> roles) {
    return new Principal(false, tenantId, keyId, Set.copyOf(roles));
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
