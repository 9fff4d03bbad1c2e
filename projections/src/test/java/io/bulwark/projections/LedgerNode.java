package io.bulwark.projections;

import com.typesafe.config.ConfigFactory;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.readmodel.ReadModelQueries;
import io.bulwark.testing.TestCluster;
import io.bulwark.testing.TestDatabase;
import javax.sql.DataSource;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** A single-node cluster with the entities and the ledger projection on its own database. */
record LedgerNode(
    TestDatabase db,
    ActorTestKit testKit,
    ClusterSharding sharding,
    DataSource pool,
    ReadModelQueries queries)
    implements AutoCloseable {

  static LedgerNode start(String name) throws Exception {
    var db = TestDatabase.create();
    var testKit = TestCluster.start(name, db, ConfigFactory.empty());
    var system = testKit.system();
    Tenant.init(system);
    Account.init(system);
    Transfer.init(system);
    var pool = SharedPool.dataSource(system);
    LedgerProjection.init(system, pool);
    return new LedgerNode(
        db, testKit, ClusterSharding.get(system), pool, ReadModelQueries.create(system, pool));
  }

  ActorSystem<?> system() {
    return testKit.system();
  }

  @Override
  public void close() {
    TestCluster.stop(testKit, db);
  }
}
