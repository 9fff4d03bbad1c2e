package io.bulwark.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.testing.TestSecrets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A real HTTP client for the tests; every response is also checked against docs/openapi.yaml. */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String baseUrl;
  private final OpenApiContract contract;
  private final HttpClient http;

  ApiClient(String baseUrl, OpenApiContract contract) {
    this(baseUrl, contract, HTTP);
  }

  /** Over {@code http}, e.g. a client trusting a test certificate for HTTPS. */
  ApiClient(String baseUrl, OpenApiContract contract, HttpClient http) {
    this.baseUrl = baseUrl;
    this.contract = contract;
    this.http = http;
  }

  record Response(int status, Map<String, List<String>> headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON: " + body, e);
      }
    }

    Optional<String> header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream())
          .findFirst();
    }

    String contentType() {
      return header("Content-Type").orElse("");
    }

    String code() {
      return json().path("code").asText();
    }
  }

  /** A request description: method, path, optional key, body and extra headers. */
  static final class Call {
    final String method;
    final String path;
    String key;
    String body;
    String contentType = "application/json";
    final Map<String, String> headers = new LinkedHashMap<>();

    Call(String method, String path) {
      this.method = method;
      this.path = path;
    }

    Call key(String apiKey) {
      this.key = apiKey;
      return this;
    }

    Call body(String json) {
      this.body = json;
      return this;
    }

    Call json(Object value) {
      try {
        this.body = JSON.writeValueAsString(value);
      } catch (IOException e) {
        throw new IllegalArgumentException(e);
      }
      return this;
    }

    Call contentType(String type) {
      this.contentType = type;
      return this;
    }

    Call header(String name, String value) {
      headers.put(name, value);
      return this;
    }
  }

  static Call get(String path) {
    return new Call("GET", path);
  }

  static Call post(String path) {
    return new Call("POST", path);
  }

  static Call put(String path) {
    return new Call("PUT", path);
  }

  static Call patch(String path) {
    return new Call("PATCH", path);
  }

  static Call delete(String path) {
    return new Call("DELETE", path);
  }

  /**
   * A key the API issues is remembered (TestSecrets); an error body must never hold a secret, nor
   * the key the request was sent with.
   */
  private static void checkSecrets(Call call, Response response) {
    if (response.status() < 400) {
      if (response.body().contains("\"secret\"")) {
        var secret = response.json().get("secret");
        if (secret != null && secret.isTextual()) {
          TestSecrets.remember(secret.asText());
        }
      }
      return;
    }
    String leaked = TestSecrets.foundIn(response.body());
    if (leaked == null && call.key != null && response.body().contains(call.key)) {
      leaked = call.key;
    }
    if (leaked != null) {
      throw new AssertionError(
          call.method
              + " "
              + call.path
              + " -> "
              + response.status()
              + ": the error body holds a secret, "
              + TestSecrets.redacted(leaked));
    }
  }

  Response send(Call call) {
    var builder =
        HttpRequest.newBuilder(URI.create(baseUrl + call.path)).timeout(Duration.ofSeconds(30));
    if (call.key != null) {
      builder.header("Authorization", "Bearer " + call.key);
    }
    call.headers.forEach(builder::header);
    if (call.body != null) {
      if (call.contentType != null) {
        builder.header("Content-Type", call.contentType);
      }
      builder.method(call.method, HttpRequest.BodyPublishers.ofString(call.body));
    } else {
      builder.method(call.method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      var response = new Response(r.statusCode(), r.headers().map(), r.body());
      checkSecrets(call, response);
      if (contract != null) {
        contract.check(call.method, call.path, response);
      }
      return response;
    } catch (IOException e) {
      throw new AssertionError(call.method + " " + call.path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
