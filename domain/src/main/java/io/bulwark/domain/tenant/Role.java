package io.bulwark.domain.tenant;

import java.util.Optional;

/** Roles a tenant API key can carry. */
public enum Role {
  ADMIN,
  OPERATOR,
  VIEWER;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Optional<Role> parse(String name) {
    for (Role role : values()) {
      if (role.wireName().equals(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
