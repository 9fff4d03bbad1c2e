package io.bulwark.projections;

import io.bulwark.domain.Ids;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Schema-per-tenant read models (phase 2a, V6, ADR 0022): which tenants' read-model rows live in a
 * schema of their own, and moving a tenant there or back. The read models are partitioned by
 * tenant; a tenant's schema holds its partitions, so the node reads and writes the same tables
 * whatever the layout, and nodes with different settings cannot write to different places.
 *
 * <p>Everything here runs as the migration login (it creates schemas and attaches partitions).
 */
public final class TenantSchemas {
  /** SQL states worth another try: a deadlock with a projection's transaction, a lock timeout. */
  private static final Set<String> RETRYABLE = Set.of("40P01", "55P03", "40001");

  private static final int ATTEMPTS = 5;

  private TenantSchemas() {}

  /** What {@link #apply} did: tenants moved (with their row counts), and what it left alone. */
  public record Outcome(
      Map<String, Long> moved, SortedSet<String> alreadyInSchema, SortedSet<String> unconfigured) {
    public Outcome {
      moved = Map.copyOf(moved);
      alreadyInSchema = new TreeSet<>(alreadyInSchema);
      unconfigured = new TreeSet<>(unconfigured);
    }
  }

  /**
   * Gives every tenant of {@code configured} its schema (moving its rows there), as the login
   * {@code user}; tenants that have one already are left alone. Tenants with a schema that are not
   * configured are only reported: taking isolation away is a deliberate act ({@link
   * #moveToShared}), never the side effect of a node started with an older or empty setting.
   *
   * @throws IllegalArgumentException for an id that is not a valid tenant id
   */
  public static Outcome apply(String url, String user, String password, Set<String> configured)
      throws SQLException {
    for (String tenant : configured) {
      checkTenant(tenant);
    }
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      var present = inSchemas(c);
      var moved = new TreeMap<String, Long>();
      var already = new TreeSet<String>();
      for (String tenant : new TreeSet<>(configured)) {
        if (present.containsKey(tenant)) {
          already.add(tenant);
        } else {
          moved.put(tenant, moveToSchema(c, tenant));
        }
      }
      var unconfigured = new TreeSet<>(present.keySet());
      unconfigured.removeAll(configured);
      return new Outcome(moved, already, unconfigured);
    }
  }

  /** Tenants with a schema of their own, and its name. */
  public static Map<String, String> inSchemas(Connection c) throws SQLException {
    var result = new TreeMap<String, String>();
    try (var statement = c.createStatement();
        var rs =
            statement.executeQuery(
                "SELECT tenant_id, schema_name FROM tenant_schemas ORDER BY tenant_id")) {
      while (rs.next()) {
        result.put(rs.getString(1), rs.getString(2));
      }
    }
    return result;
  }

  /** The schema {@code tenant}'s read models live in once moved (V6's naming rule). */
  public static String schemaName(Connection c, String tenant) throws SQLException {
    checkTenant(tenant);
    return (String) call(c, "SELECT bulwark_tenant_schema_name(?)", tenant);
  }

  /**
   * Moves {@code tenant}'s read-model rows into its own schema, in one transaction; returns how
   * many rows moved (0 when it is there already). Retried when it loses a deadlock to the
   * projection, whose writes wait for the move and then land in the new schema.
   */
  public static long moveToSchema(Connection c, String tenant) throws SQLException {
    checkTenant(tenant);
    return ((Number) call(c, "SELECT bulwark_move_tenant_to_schema(?)", tenant)).longValue();
  }

  /** Moves {@code tenant}'s rows back into the shared tables and drops its schema. */
  public static long moveToShared(Connection c, String tenant) throws SQLException {
    checkTenant(tenant);
    return ((Number) call(c, "SELECT bulwark_move_tenant_to_shared(?)", tenant)).longValue();
  }

  private static void checkTenant(String tenant) {
    if (!Ids.isValidResourceId(tenant)) {
      throw new IllegalArgumentException("Not a valid tenant id: " + tenant);
    }
  }

  private static Object call(Connection c, String sql, String tenant) throws SQLException {
    Objects.requireNonNull(tenant);
    List<SQLException> failures = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      try (var statement = c.prepareStatement(sql)) {
        statement.setString(1, tenant);
        try (var rs = statement.executeQuery()) {
          rs.next();
          return rs.getObject(1);
        }
      } catch (SQLException e) {
        if (!RETRYABLE.contains(e.getSQLState()) || attempt == ATTEMPTS) {
          failures.forEach(e::addSuppressed);
          throw e;
        }
        failures.add(e);
        sleep(100L * attempt);
      }
    }
  }

  private static void sleep(long millis) throws SQLException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("Interrupted while moving a tenant", e);
    }
  }
}
