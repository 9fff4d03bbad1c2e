package io.bulwark.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.bulwark.audit.AuditReader;
import io.bulwark.domain.account.Account;
import io.bulwark.domain.placement.TenantPlacement;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.domain.transfer.Transfer;
import io.bulwark.http.ApiRoutes;
import io.bulwark.http.ApiServer;
import io.bulwark.http.EntityGateway;
import io.bulwark.http.HttpSettings;
import io.bulwark.http.ReadModelOperations;
import io.bulwark.http.auth.ApiKeys;
import io.bulwark.http.auth.Authenticator;
import io.bulwark.http.auth.JwtAuthenticator;
import io.bulwark.http.auth.KeyCache;
import io.bulwark.http.auth.KeyRevocations;
import io.bulwark.http.limits.AdmissionSettings;
import io.bulwark.http.limits.LimitSettings;
import io.bulwark.http.limits.Protection;
import io.bulwark.projections.LedgerProjection;
import io.bulwark.projections.Migrations;
import io.bulwark.projections.PendingTransfers;
import io.bulwark.projections.SharedPool;
import io.bulwark.projections.TenantSchemas;
import io.bulwark.readmodel.BreakerSettings;
import io.bulwark.readmodel.DatabaseHealth;
import io.bulwark.readmodel.QueryBreaker;
import io.bulwark.readmodel.ReadModelQueries;
import io.bulwark.readmodel.Reconciliation;
import io.bulwark.webhooks.WebhookProjection;
import io.bulwark.webhooks.WebhookSettings;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/** The composition root: one running Bulwark node, in a process of its own or in a test. */
public final class BulwarkNode {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BulwarkNode.class);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;

  private BulwarkNode(ActorSystem<Void> system, ServerBinding binding) {
    this.system = system;
    this.binding = binding;
  }

  public static BulwarkNode start(NodeSettings settings) {
    Config config = NodeConfig.build(settings);
    checkSettings(config);
    var https = TlsMaterial.check(settings.tls());
    migrate(settings);
    placeSchemaTenants(settings);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    try {
      // Every node initialises every entity type and process: where the node lacks the role
      // (cluster.conf), sharding starts a proxy and the daemon process and singleton run elsewhere.
      Tenant.init(system);
      Account.init(system);
      Transfer.init(system);
      var dataSource = SharedPool.dataSource(system);
      LedgerProjection.init(system, dataSource);
      PendingTransfers.init(system, dataSource);
      WebhookProjection.init(system, dataSource);
      var webhooks = NodeWebhooks.endpoints(system, dataSource, settings.webhooks());
      var deadLetters = NodeDeadLetters.of(system, dataSource);
      if (settings.has(NodeRole.PROJECTIONS)) {
        NodeDeadLetters.sampleGauge(system, deadLetters);
        NodeAudit.scheduleExpiry(system, dataSource, settings.audit().retentionDays());
        NodeWebhooks.startDelivery(system, dataSource, settings, webhooks::runRecoveries);
      }

      var database = databaseBreaker(system, settings, dataSource);
      ServerBinding binding = null;
      if (settings.has(NodeRole.API)) {
        binding =
            startApi(
                system,
                settings,
                database,
                readPool(system, settings, dataSource),
                https,
                webhooks,
                new ReadModelOperations(deadLetters, Reconciliation.create(system, dataSource)));
      } else {
        NodeGauges.start(system, dataSource, null, database, null);
      }
      GracefulShutdown.register(system);
      await(PekkoManagement.get(system).start());
      if (settings.discovery() == NodeSettings.Discovery.KUBERNETES) {
        ClusterBootstrap.get(system.classicSystem()).start();
      }
      return new BulwarkNode(system, binding);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  private static ServerBinding startApi(
      ActorSystem<Void> system,
      NodeSettings settings,
      DatabaseHealth database,
      javax.sql.DataSource readPool,
      java.util.Optional<javax.net.ssl.SSLContext> https,
      io.bulwark.webhooks.WebhookEndpoints webhooks,
      ReadModelOperations operations) {
    var config = system.settings().config();
    var breakers = BreakerSettings.fromConfig(config);
    var http = HttpSettings.fromConfig(config);
    var entities = new EntityGateway(system, http.askTimeout(), database);
    var keyCache =
        new KeyCache(
            KeyCache.fromSharding(system, http.askTimeout(), database),
            http.keyRefreshAfter(),
            http.keyExpireAfter(),
            System::nanoTime);
    var platformKeys = new java.util.ArrayList<String>();
    platformKeys.add(ApiKeys.hash(settings.platformKey()));
    settings.previousPlatformKeys().forEach(k -> platformKeys.add(ApiKeys.hash(k)));
    JwtAuthenticator jwt = settings.jwt().map(j -> new JwtAuthenticator(j, keyCache)).orElse(null);
    if (jwt != null) {
      system.getWhenTerminated().thenRun(jwt::close);
      system
          .log()
          .info(
              "Accepting bearer JWTs of issuer {} for audience {}, keys from {}",
              jwt.settings().issuer(),
              jwt.settings().audience(),
              jwt.settings().jwksUrl());
    }
    var authenticator = new Authenticator(platformKeys, keyCache, java.time.Clock.systemUTC(), jwt);
    if (!settings.previousPlatformKeys().isEmpty()) {
      system
          .log()
          .info(
              "Accepting {} previous platform key(s) besides the current one until"
                  + " BULWARK_PLATFORM_KEY_PREVIOUS is removed",
              settings.previousPlatformKeys().size());
    }
    var queryBreaker = QueryBreaker.create(system, database, breakers);
    var queries = ReadModelQueries.create(system, readPool, queryBreaker);
    var revocations = KeyRevocations.clusterWide(system, keyCache);
    var protection = Protection.forNode(system, database);
    var auditKeys = NodeAudit.keys(settings.audit());
    var auditLog = NodeAudit.log(system, SharedPool.dataSource(system), auditKeys);
    var auditReader =
        new AuditReader(
            SharedPool.dataSource(system),
            auditKeys,
            system
                .dispatchers()
                .lookup(DispatcherSelector.fromConfig(ReadModelQueries.DISPATCHER)));
    var routes =
        new ApiRoutes(
            authenticator,
            entities,
            queries,
            revocations,
            http,
            protection,
            auditLog,
            auditReader,
            webhooks,
            operations);
    NodeGauges.start(
        system, SharedPool.dataSource(system), protection.admission(), database, queryBreaker);
    return await(ApiServer.start(system, routes.route(), http.host(), http.port(), https));
  }

  /** The replica's pool when one is configured (BULWARK_DB_READ_URL), else the shared pool. */
  private static javax.sql.DataSource readPool(
      ActorSystem<?> system, NodeSettings settings, javax.sql.DataSource shared) {
    return settings
        .readDatabase()
        .<javax.sql.DataSource>map(replica -> ReadReplica.open(system, replica))
        .orElse(shared);
  }

  /**
   * The probe-driven database breaker (ADR 0010), per node. When the database comes back, the pool
   * drops the connections the outage broke instead of handing them out once more.
   */
  private static DatabaseHealth databaseBreaker(
      ActorSystem<?> system, NodeSettings settings, javax.sql.DataSource pool) {
    var breakers = BreakerSettings.fromConfig(system.settings().config());
    var health =
        DatabaseHealth.start(
            settings.dbUrl(),
            settings.dbUser(),
            settings.dbPassword(),
            breakers.probeInterval(),
            breakers.probeTimeout());
    if (pool instanceof com.zaxxer.hikari.HikariDataSource hikari) {
      health.onRecovery(
          () -> {
            var bean = hikari.getHikariPoolMXBean();
            if (bean != null) {
              bean.softEvictConnections();
            }
          });
    }
    DatabaseHealths.register(system, health);
    system.getWhenTerminated().thenRun(health::close);
    return health;
  }

  /** Settings with rules beyond their type are checked before anything starts. */
  private static void checkSettings(Config config) {
    try {
      LimitSettings.fromConfig(config);
      AdmissionSettings.fromConfig(config);
      HttpSettings.fromConfig(config);
      WebhookSettings.fromConfig(config);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new StartupException("A setting is invalid: " + e.getMessage());
    }
    try {
      TenantPlacement.fromConfig(config);
    } catch (IllegalArgumentException e) {
      throw new StartupException("BULWARK_TENANT_TIERS: " + e.getMessage());
    }
  }

  /**
   * Runs the migrations as the migration login (ADR 0019), or the node's own when none is set; a
   * database that cannot be reached stops the node with a clear line.
   */
  private static void migrate(NodeSettings settings) {
    var login = settings.migrationLogin();
    try {
      Migrations.migrate(settings.dbUrl(), login.user(), login.password());
    } catch (RuntimeException e) {
      String cause =
          String.valueOf(e.getMessage()).replaceAll("(?i)password=[^&\\s)]*", "password=***");
      if (!login.password().isEmpty()) {
        cause = cause.replace(login.password(), "***");
      }
      throw new StartupException(
          "The database (BULWARK_DB_URL) cannot be reached or migrated as "
              + login.user()
              + ": "
              + cause);
    }
  }

  /**
   * Moves every tenant of BULWARK_TENANT_SCHEMAS that has no schema yet into one of its own, as the
   * migration login (ADR 0022). Tenants with a schema that are not listed stay there, with a
   * warning: moving one back is a deliberate act (docs/tenancy.md), not the side effect of a node
   * started with an older setting.
   */
  private static void placeSchemaTenants(NodeSettings settings) {
    var login = settings.migrationLogin();
    TenantSchemas.Outcome outcome;
    try {
      outcome =
          TenantSchemas.apply(
              settings.dbUrl(), login.user(), login.password(), settings.tenancy().schemaTenants());
    } catch (java.sql.SQLException | RuntimeException e) {
      String cause = String.valueOf(e.getMessage());
      if (!login.password().isEmpty()) {
        cause = cause.replace(login.password(), "***");
      }
      throw new StartupException(
          "BULWARK_TENANT_SCHEMAS: cannot give the tenants their schemas as "
              + login.user()
              + ": "
              + cause);
    }
    outcome
        .moved()
        .forEach(
            (tenant, rows) ->
                log.info(
                    "Tenant {} now has its read models in a schema of its own ({} rows moved)",
                    tenant,
                    rows));
    if (!outcome.unconfigured().isEmpty()) {
      log.warn(
          "Tenants {} have read-model schemas but are not in BULWARK_TENANT_SCHEMAS; they stay"
              + " there until moved back with bulwark_move_tenant_to_shared (docs/tenancy.md)",
          outcome.unconfigured());
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** The version this node reports to the cluster (pekko.cluster.app-version). */
  public String appVersion() {
    return org.apache.pekko.cluster.typed.Cluster.get(system).selfMember().appVersion().toString();
  }

  /** The API's port, or -1 on a node without the api role. */
  public int httpPort() {
    return binding == null ? -1 : binding.localAddress().getPort();
  }

  /** Leaves the cluster, hands off shards, drains HTTP, then terminates. */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Node startup failed: " + e.getMessage(), e);
    }
  }
}
