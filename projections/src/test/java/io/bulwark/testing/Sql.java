package io.bulwark.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Plain JDBC for test assertions and fixtures; parameters are always bound, never spliced. */
public final class Sql {
  private final DataSource dataSource;

  public Sql(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Rows as maps from column label to value, in the order of the query. */
  public List<Map<String, Object>> rows(String sql, Object... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = prepare(c, sql, params);
        ResultSet rs = statement.executeQuery()) {
      var meta = rs.getMetaData();
      var rows = new ArrayList<Map<String, Object>>();
      while (rs.next()) {
        var row = new LinkedHashMap<String, Object>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** The single value of a single-row, single-column query. */
  public Object value(String sql, Object... params) throws SQLException {
    var rows = rows(sql, params);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new AssertionError("Expected one value from " + sql + " but got " + rows);
    }
    return rows.get(0).values().iterator().next();
  }

  public long count(String sql, Object... params) throws SQLException {
    return ((Number) value(sql, params)).longValue();
  }

  public int update(String sql, Object... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = prepare(c, sql, params)) {
      return statement.executeUpdate();
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... params)
      throws SQLException {
    var statement = c.prepareStatement(sql);
    for (int i = 0; i < params.length; i++) {
      statement.setObject(i + 1, params[i]);
    }
    return statement;
  }
}
