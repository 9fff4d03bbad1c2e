package io.bulwark.node;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.nio.file.Path;

/** Holds the server to docs/openapi.yaml: each real response must match its documented shape. */
final class OpenApiContract {
  static final Path DOCUMENT = Path.of("..", "docs", "openapi.yaml").toAbsolutePath().normalize();

  private final OpenApiInteractionValidator validator =
      OpenApiInteractionValidator.createForSpecificationUrl(DOCUMENT.toUri().toString())
          // Paths and methods outside the API (404, 405) have no documented operation to match.
          .withLevelResolver(
              LevelResolver.create()
                  .withLevel("validation.request.path.missing", ValidationReport.Level.IGNORE)
                  .withLevel(
                      "validation.request.operation.notAllowed", ValidationReport.Level.IGNORE)
                  .build())
          .build();

  void check(String method, String pathAndQuery, ApiClient.Response response) {
    String path = pathAndQuery.split("\\?", 2)[0];
    var builder = SimpleResponse.Builder.status(response.status());
    response.headers().forEach((name, values) -> builder.withHeader(name, values));
    if (!response.body().isEmpty()) {
      builder.withBody(response.body());
    }
    var report = validator.validateResponse(path, Request.Method.valueOf(method), builder.build());
    if (report.hasErrors()) {
      throw new AssertionError(
          method
              + " "
              + pathAndQuery
              + " -> "
              + response.status()
              + " does not match docs/openapi.yaml: "
              + report.getMessages()
              + "\nbody: "
              + response.body());
    }
  }
}
