package io.bulwark.projections;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/**
 * One transaction of a JDBC projection on a pooled connection. The connection is borrowed on first
 * use with autocommit off, and returned to the pool by {@link #close()}; the projection commits the
 * handler's writes and the offset together.
 */
public final class DataSourceJdbcSession implements JdbcSession, AutoCloseable {
  private final DataSource dataSource;
  private Connection connection;

  public DataSourceJdbcSession(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public <R> R withConnection(Function<Connection, R> func) throws Exception {
    return func.apply(connection());
  }

  @Override
  public void commit() throws SQLException {
    if (connection != null) {
      connection.commit();
    }
  }

  @Override
  public void rollback() throws SQLException {
    if (connection != null) {
      connection.rollback();
    }
  }

  @Override
  public void close() throws SQLException {
    if (connection != null) {
      try {
        connection.close();
      } finally {
        connection = null;
      }
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      var borrowed = dataSource.getConnection();
      try {
        borrowed.setAutoCommit(false);
      } catch (SQLException e) {
        borrowed.close();
        throw e;
      }
      connection = borrowed;
    }
    return connection;
  }
}
