package io.bulwark.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster of N node processes on loopback against one embedded PostgreSQL, for developers (README
 * "A local cluster") and for the tests that start node processes. Each node is {@link Main} in a
 * JVM of its own, configured only through the BULWARK_* variables of API.md "Running a node", so a
 * local cluster runs exactly what a deployment runs.
 *
 * <pre>
 *   java -cp cluster-node/target/bulwark-node.jar io.bulwark.node.LocalCluster 3
 *   java -cp cluster-node/target/bulwark-node.jar io.bulwark.node.LocalCluster api entities entities,projections
 *   BULWARK_TENANT_TIERS=vip=gold java -cp ... LocalCluster api,projections entities entities-gold
 * </pre>
 */
public final class LocalCluster {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);

  /**
   * A node of the plan: its roles (as BULWARK_ROLES) and ports. Node i uses 8080+i, 8558+i, 25520+i
   * and 9095+i.
   */
  public record Member(
      int index, String roles, int httpPort, int managementPort, int clusterPort, int metricsPort) {

    public static Member numbered(int index, String roles) {
      return new Member(index, roles, 8080 + index, 8558 + index, 25520 + index, 9095 + index);
    }

    public String name() {
      return "node-" + (index + 1);
    }

    public boolean servesApi() {
      return java.util.Arrays.stream(roles.split(",")).anyMatch(r -> r.strip().equals("api"));
    }
  }

  /** Where every node's database, platform key, audit key and webhook key are. */
  public record Database(
      String url,
      String user,
      String password,
      Path platformKeyFile,
      Path auditKeyFile,
      Path webhookKeyFile) {}

  /** Every role: phases 0 and 1. */
  public static final String ALL_ROLES = "api,entities,projections";

  private LocalCluster() {}

  /**
   * The seed nodes: the first two members. The first forms the cluster when none exists; with a
   * second seed, a restarted first node finds the running cluster instead of forming a new one.
   */
  public static String seedNodes(List<Member> members) {
    return members.stream()
        .limit(2)
        .map(m -> "127.0.0.1:" + m.clusterPort())
        .collect(Collectors.joining(","));
  }

  /** The environment Main reads for {@code member} (API.md "Running a node"). */
  public static Map<String, String> environment(
      Member member, List<Member> members, Database db, Path dataDir) {
    Map<String, String> env = new HashMap<>();
    env.put("BULWARK_ROLES", member.roles());
    env.put("BULWARK_CLUSTER_HOST", "127.0.0.1");
    env.put("BULWARK_CLUSTER_PORT", Integer.toString(member.clusterPort()));
    env.put("BULWARK_SEED_NODES", seedNodes(members));
    env.put("BULWARK_HTTP_PORT", Integer.toString(member.httpPort()));
    env.put("BULWARK_MANAGEMENT_PORT", Integer.toString(member.managementPort()));
    env.put("BULWARK_METRICS_HOST", "127.0.0.1");
    env.put("BULWARK_METRICS_PORT", Integer.toString(member.metricsPort()));
    env.put("BULWARK_DB_URL", db.url());
    env.put("BULWARK_DB_USER", db.user());
    env.put("BULWARK_DB_PASSWORD", db.password());
    env.put("BULWARK_PLATFORM_KEY_FILE", db.platformKeyFile().toString());
    env.put("BULWARK_AUDIT_KEY_FILE", db.auditKeyFile().toString());
    env.put("BULWARK_WEBHOOK_KEY_FILE", db.webhookKeyFile().toString());
    env.put("BULWARK_DATA_DIR", dataDir.resolve(member.name()).toString());
    return env;
  }

  /** {@code 3} (three nodes with every role) or one comma-separated role list per node. */
  static List<Member> plan(String[] args) {
    List<Member> members = new ArrayList<>();
    if (args.length == 0 || (args.length == 1 && args[0].matches("[0-9]+"))) {
      int n = args.length == 0 ? 3 : Integer.parseInt(args[0]);
      if (n < 1 || n > 9) {
        throw new StartupException("A local cluster has 1 to 9 nodes, not " + n);
      }
      for (int i = 0; i < n; i++) {
        members.add(Member.numbered(i, ALL_ROLES));
      }
      return members;
    }
    for (int i = 0; i < args.length; i++) {
      try {
        new Environment(Map.of("BULWARK_ROLES", args[i])).checkRoles();
      } catch (StartupException e) {
        throw new StartupException("Node " + (i + 1) + ": " + e.getMessage());
      }
      members.add(Member.numbered(i, args[i].strip()));
    }
    return members;
  }

  /** The command that runs Main in a JVM of its own, on this process's classpath. */
  public static List<String> nodeCommand(List<String> jvmOptions, String classpath) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(Main.class.getName());
    return command;
  }

  public static void main(String[] args) throws Exception {
    Path dir =
        Path.of(System.getenv().getOrDefault("BULWARK_DATA_DIR", "./data/local-cluster"))
            .toAbsolutePath()
            .normalize();
    List<Member> members;
    EmbeddedDatabase database;
    try {
      members = plan(args);
      Files.createDirectories(dir);
      database = EmbeddedDatabase.start(dir, portVar("BULWARK_EMBEDDED_DB_PORT"));
    } catch (StartupException | IOException e) {
      log.error("The local cluster cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    LocalSecrets.platformKey(dir);
    LocalSecrets.auditKey(dir);
    LocalSecrets.webhookKey(dir);
    // The embedded server trusts loopback connections (its pg_hba.conf); the node insists on a
    // password with BULWARK_DB_URL, so it gets one that the server does not check. As in
    // production, the superuser migrates and the nodes work as a member of bulwark_app.
    var db =
        new Database(
            database.jdbcUrl(),
            EmbeddedDatabase.APP_USER,
            "local",
            LocalSecrets.platformKeyFile(dir),
            LocalSecrets.auditKeyFile(dir),
            LocalSecrets.webhookKeyFile(dir));
    List<String> jvm =
        List.of(
            System.getenv()
                .getOrDefault("BULWARK_LOCAL_JAVA_OPTS", "-Xmx512m")
                .strip()
                .split("\\s+"));
    List<Process> processes = new ArrayList<>();
    for (Member member : members) {
      Path logFile = dir.resolve(member.name() + ".log");
      var builder =
          new ProcessBuilder(nodeCommand(jvm, System.getProperty("java.class.path")))
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      // Other BULWARK_* settings of this shell (BULWARK_TENANT_TIERS, BULWARK_LOG_LEVEL, ...) pass
      // through to every node; the ones the plan sets override them.
      builder.environment().putAll(environment(member, members, db, dir));
      builder.environment().put("BULWARK_DB_MIGRATION_USER", EmbeddedDatabase.SUPERUSER);
      builder.environment().put("BULWARK_DB_MIGRATION_PASSWORD", "local");
      processes.add(builder.start());
      log.info(
          "{} [{}]: API {}  management http://127.0.0.1:{}  metrics :{}  log {}",
          member.name(),
          member.roles(),
          member.servesApi() ? "http://127.0.0.1:" + member.httpPort() : "none",
          member.managementPort(),
          member.metricsPort(),
          logFile);
    }
    log.info(
        "Platform key in {}; Ctrl-C stops every node, then the database", db.platformKeyFile());
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stopAll(processes, database), "local-cluster-stop"));
    for (int i = 0; i < processes.size(); i++) {
      int index = i;
      processes
          .get(i)
          .onExit()
          .thenAccept(
              p -> log.info("{} exited with status {}", members.get(index).name(), p.exitValue()));
    }
    for (Process process : processes) {
      process.waitFor();
    }
  }

  /** SIGTERM to every node (each leaves the cluster gracefully), then the database stops. */
  private static void stopAll(List<Process> processes, EmbeddedDatabase database) {
    processes.forEach(Process::destroy);
    for (Process process : processes) {
      try {
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    database.close();
  }

  private static int portVar(String name) {
    String raw = System.getenv(name);
    if (raw == null || raw.isBlank()) {
      return 0;
    }
    try {
      return Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw new StartupException(name + " must be an integer, not '" + raw + "'");
    }
  }
}
