package io.bulwark.node;

import io.bulwark.testing.TestDatabase;

/** One node on its own database, shared by the tests of one class. */
final class SingleNodeFixture implements AutoCloseable {
  final TestDatabase db;
  final String platformKey = TestNode.newPlatformKey();
  final TestNode node;
  final ApiClient api;
  final ApiClient management;
  final Ledger ledger;

  SingleNodeFixture() {
    this("");
  }

  /** With {@code hocon} laid over the test configuration. */
  SingleNodeFixture(String hocon) {
    this(hocon, n -> n);
  }

  /** With {@code hocon}, and {@code settings} applied to the node before it starts. */
  SingleNodeFixture(String hocon, java.util.function.UnaryOperator<TestNode> settings) {
    db = TestDatabase.create();
    node = settings.apply(TestNode.seed(db, platformKey).withConfig(hocon)).start();
    api = new ApiClient(node.baseUrl(), new OpenApiContract());
    management = new ApiClient(node.managementUrl(), null);
    ledger = new Ledger(api, platformKey);
  }

  @Override
  public void close() throws Exception {
    try {
      node.stop();
    } finally {
      db.close();
    }
  }
}
