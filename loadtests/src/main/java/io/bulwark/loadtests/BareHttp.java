package io.bulwark.loadtests;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The floor under Bulwark's reads: a bare Pekko HTTP server answering every request with a small
 * JSON body (the size of an account), started by {@code loadtests/bench} with the node's JVM flags.
 * Strong reads per second over this server's requests per second is what Bulwark's layers cost.
 *
 * <p>Argument: the port, on 127.0.0.1.
 */
public final class BareHttp {
  private static final String BODY =
      "{\"id\":\"acc-1\",\"currency\":\"EUR\",\"balance\":1000000000,\"reserved\":0,"
          + "\"overdraftLimit\":0,\"createdAt\":\"2026-11-26T00:00:00Z\"}";

  private BareHttp() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    var system = ActorSystem.create("bare");
    var response =
        HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, BODY));
    Http.get(system)
        .newServerAt("127.0.0.1", port)
        .bindSync(request -> response)
        .toCompletableFuture()
        .join();
    System.out.println("bare HTTP on 127.0.0.1:" + port);
  }
}
