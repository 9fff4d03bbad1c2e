package io.bulwark.node;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Just enough of the Kubernetes API server for pekko-discovery-kubernetes-api, on loopback over
 * HTTPS: {@code GET /api/v1/namespaces/{ns}/pods?labelSelector=...} answers with one Running pod
 * per node (pod IP 127.0.0.1, its container port named "management"). It checks the service
 * account's bearer token and records every label selector it was asked for. Its certificate (and
 * the CA file a pod would find in its service account mount) are generated per test run by keytool.
 */
final class FakeKubernetesApi implements AutoCloseable {
  final Path caFile;
  final Path tokenFile;
  final Path namespaceFile;
  final List<String> selectorsAsked = new CopyOnWriteArrayList<>();
  final List<String> refused = new CopyOnWriteArrayList<>();
  private final HttpsServer server;
  private final String token;
  private volatile List<Integer> managementPorts = List.of();

  FakeKubernetesApi(Path dir, String namespace) throws Exception {
    Files.createDirectories(dir);
    char[] password = randomSecret().toCharArray();
    Path keystore = dir.resolve("api-server.p12");
    Files.deleteIfExists(keystore);
    keytool(
        "-genkeypair",
        "-alias",
        "api",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=fake-kube-apiserver",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        new String(password));
    caFile = dir.resolve("ca.crt");
    Files.deleteIfExists(caFile);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "api",
        "-keystore",
        keystore.toString(),
        "-storepass",
        new String(password),
        "-file",
        caFile.toString());
    token = randomSecret();
    tokenFile = Files.writeString(dir.resolve("token"), token);
    namespaceFile = Files.writeString(dir.resolve("namespace"), namespace);

    var keys = KeyStore.getInstance("PKCS12");
    try (var in = new FileInputStream(keystore.toFile())) {
      keys.load(in, password);
    }
    var managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    managers.init(keys, password);
    var tls = SSLContext.getInstance("TLS");
    tls.init(managers.getKeyManagers(), null, new SecureRandom());
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/api/v1/namespaces/" + namespace + "/pods", this::pods);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** What a pod's environment says with BULWARK_DISCOVERY=kubernetes, pointing at this fake. */
  Map<String, String> nodeEnvironment(int requiredContactPoints) {
    Map<String, String> env = new HashMap<>();
    env.put("BULWARK_DISCOVERY", "kubernetes");
    env.put("BULWARK_REQUIRED_CONTACT_POINTS", Integer.toString(requiredContactPoints));
    env.put("BULWARK_SEED_NODES", "");
    env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
    env.put("KUBERNETES_SERVICE_PORT", Integer.toString(port()));
    return env;
  }

  /** Where a pod finds its service account mount; here, the files this fake wrote. */
  List<String> nodeProperties() {
    String mount = "-Dpekko.discovery.kubernetes-api.";
    return List.of(
        mount + "api-ca-path=" + caFile.toAbsolutePath(),
        mount + "api-token-path=" + tokenFile.toAbsolutePath(),
        mount + "pod-namespace-path=" + namespaceFile.toAbsolutePath());
  }

  /** The pods the API lists: one per management port. */
  void pods(List<Integer> ports) {
    managementPorts = List.copyOf(ports);
  }

  private void pods(HttpExchange exchange) throws IOException {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (!("Bearer " + token).equals(auth)) {
      refused.add(String.valueOf(exchange.getRequestURI()));
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
      return;
    }
    String query = exchange.getRequestURI().getRawQuery();
    String selector = "";
    for (String part : query == null ? new String[0] : query.split("&")) {
      if (part.startsWith("labelSelector=")) {
        selector = URLDecoder.decode(part.substring(14), StandardCharsets.UTF_8);
      }
    }
    selectorsAsked.add(selector);
    ObjectNode list = ApiClient.JSON.createObjectNode();
    ArrayNode items = list.putArray("items");
    for (int port : managementPorts) {
      ObjectNode pod = items.addObject();
      pod.putObject("metadata");
      ObjectNode container = pod.putObject("spec").putArray("containers").addObject();
      container.put("name", "bulwark");
      ArrayNode containerPorts = container.putArray("ports");
      containerPorts.addObject().put("name", "http").put("containerPort", 8080);
      containerPorts.addObject().put("name", "management").put("containerPort", port);
      pod.putObject("status").put("phase", "Running").put("podIP", "127.0.0.1");
    }
    byte[] body = ApiClient.JSON.writeValueAsBytes(list);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
    }
  }

  private static String randomSecret() {
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
