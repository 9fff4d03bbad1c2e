package io.bulwark.http;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Binds the API and unbinds it, letting in-flight requests finish, on coordinated shutdown. Given a
 * TLS context, the port speaks HTTPS only (TLS 1.3, or 1.2 for older clients) and every response
 * carries HSTS (ADR 0018).
 */
public final class ApiServer {
  /** Sent on every response over HTTPS: a browser that saw it never tries plain HTTP for a year. */
  public static final RawHeader HSTS =
      RawHeader.create("Strict-Transport-Security", "max-age=31536000; includeSubDomains");

  /** The protocols the API accepts over HTTPS, the preferred first. */
  public static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ApiServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, Route route, String host, int port) {
    return start(system, route, host, port, Optional.empty());
  }

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, Route route, String host, int port, Optional<SSLContext> tls) {
    var builder = Http.get(system).newServerAt(host, port);
    Route served = route;
    if (tls.isPresent()) {
      SSLContext context = tls.get();
      builder = builder.enableHttps(ConnectionContext.httpsServer(() -> serverEngine(context)));
      // Sealed inside, so that rejections and errors turned into responses carry the header too.
      served = Directives.respondWithHeader(HSTS, route::seal);
    }
    String scheme = tls.isPresent() ? "https" : "http";
    return builder
        .bind(served)
        .thenApply(
            binding -> {
              system.log().info("Bulwark API listening on {}://{}:{}", scheme, host, port);
              CoordinatedShutdown.get(system)
                  .addTask(
                      CoordinatedShutdown.PhaseServiceUnbind(),
                      "http-api-unbind",
                      () -> binding.unbind().thenApply(done -> Done.getInstance()));
              CoordinatedShutdown.get(system)
                  .addTask(
                      CoordinatedShutdown.PhaseServiceRequestsDone(),
                      "http-api-drain",
                      () ->
                          binding
                              .terminate(Duration.ofSeconds(10))
                              .thenApply(terminated -> Done.getInstance()));
              return binding;
            });
  }

  /**
   * A server engine that speaks TLS 1.3 and 1.2 only, with forward-secret AEAD suites for 1.2. The
   * JDK picks the highest protocol both sides know, so a current client gets TLS 1.3.
   */
  public static SSLEngine serverEngine(SSLContext context) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(TLS_PROTOCOLS);
    engine.setEnabledCipherSuites(
        Arrays.stream(engine.getSupportedCipherSuites())
            .filter(ApiServer::strongSuite)
            .toArray(String[]::new));
    return engine;
  }

  private static boolean strongSuite(String suite) {
    return suite.startsWith("TLS_AES_")
        || suite.startsWith("TLS_CHACHA20_")
        || (suite.startsWith("TLS_ECDHE_")
            && (suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_")));
  }
}
