package io.bulwark.node;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every operation docs/openapi.yaml documents, with its parameters and body schema resolved. */
final class OpenApiOperations {
  /** A path, query or header parameter. */
  record Param(String name, String in, boolean required, Schema<?> schema) {}

  /**
   * One operation: {@code body} is the schema of its request body (null without one), sent as
   * {@code bodyType}.
   */
  record Operation(
      String id,
      String method,
      String template,
      List<Param> path,
      List<Param> query,
      List<Param> headers,
      String bodyType,
      Schema<?> body) {}

  private OpenApiOperations() {}

  static List<Operation> load() {
    var options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    var result =
        new OpenAPIV3Parser()
            .readLocation(OpenApiContract.DOCUMENT.toUri().toString(), null, options);
    OpenAPI api = result.getOpenAPI();
    if (api == null) {
      throw new IllegalStateException("docs/openapi.yaml does not parse: " + result.getMessages());
    }
    List<Operation> operations = new ArrayList<>();
    api.getPaths()
        .forEach(
            (template, item) ->
                item.readOperationsMap()
                    .forEach(
                        (method, op) -> {
                          Map<String, Param> params = new LinkedHashMap<>();
                          for (var list :
                              List.of(nonNull(item.getParameters()), nonNull(op.getParameters()))) {
                            for (Parameter p : list) {
                              params.put(
                                  p.getIn() + ":" + p.getName(),
                                  new Param(
                                      p.getName(),
                                      p.getIn(),
                                      Boolean.TRUE.equals(p.getRequired()),
                                      p.getSchema()));
                            }
                          }
                          String bodyType = null;
                          Schema<?> body = null;
                          if (op.getRequestBody() != null) {
                            var content =
                                op.getRequestBody().getContent().entrySet().iterator().next();
                            bodyType = content.getKey();
                            body = content.getValue().getSchema();
                          }
                          operations.add(
                              new Operation(
                                  op.getOperationId(),
                                  method.name(),
                                  template,
                                  in(params, "path"),
                                  in(params, "query"),
                                  in(params, "header"),
                                  bodyType,
                                  body));
                        }));
    return operations;
  }

  private static List<Param> in(Map<String, Param> params, String in) {
    return params.values().stream().filter(p -> p.in().equals(in)).toList();
  }

  private static List<Parameter> nonNull(List<Parameter> list) {
    return list == null ? List.of() : list;
  }
}
