package io.bulwark.http;

import io.bulwark.domain.tenant.Role;
import io.bulwark.http.auth.Principal;

/**
 * Who may do what. A key of another tenant gets 404 before anything else is checked, so the
 * existence of a tenant is never revealed; the platform key never touches money.
 */
final class Access {
  private Access() {}

  static void platformOnly(Principal principal) {
    if (!principal.platform()) {
      throw ApiException.forbidden();
    }
  }

  /**
   * Platform administration of one tenant (its limits): a key of this tenant gets 403, a key of
   * another 404, as everywhere.
   */
  static void platformFor(Principal principal, String tenantId) {
    if (principal.platform()) {
      JsonBody.checkedId("tenantId", tenantId);
      return;
    }
    if (!principal.belongsTo(tenantId)) {
      throw ApiException.notFound();
    }
    throw ApiException.forbidden();
  }

  /** Tenant administration: the platform key, or an admin key of this tenant. */
  static void platformOrAdmin(Principal principal, String tenantId) {
    if (principal.platform()) {
      JsonBody.checkedId("tenantId", tenantId);
      return;
    }
    tenantRoles(principal, tenantId, Role.ADMIN);
  }

  /**
   * Running a tenant's webhook queues (deliveries, resends, replays, recoveries): the platform key,
   * or an admin or operator key of this tenant.
   */
  static void platformOrOperator(Principal principal, String tenantId) {
    if (principal.platform()) {
      JsonBody.checkedId("tenantId", tenantId);
      return;
    }
    tenantRoles(principal, tenantId, Role.ADMIN, Role.OPERATOR);
  }

  static void platformOrAnyRole(Principal principal, String tenantId) {
    if (principal.platform()) {
      JsonBody.checkedId("tenantId", tenantId);
      return;
    }
    tenantRoles(principal, tenantId, Role.values());
  }

  /** Money and accounts: only this tenant's keys with one of {@code roles}. */
  static void tenantRoles(Principal principal, String tenantId, Role... roles) {
    if (principal.platform()) {
      throw new ApiException(403, "forbidden", "The platform key cannot read or move money.");
    }
    if (!principal.belongsTo(tenantId)) {
      throw ApiException.notFound();
    }
    if (!principal.hasAnyRole(roles)) {
      throw ApiException.forbidden();
    }
  }

  static void writer(Principal principal, String tenantId) {
    tenantRoles(principal, tenantId, Role.ADMIN, Role.OPERATOR);
  }

  static void reader(Principal principal, String tenantId) {
    tenantRoles(principal, tenantId, Role.values());
  }
}
