package io.bulwark.http;

/** A client-facing failure with a stable code; turned into problem+json in one place. */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final String member;

  public ApiException(int status, String code, String detail) {
    this(status, code, detail, null);
  }

  public ApiException(int status, String code, String detail, String member) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.member = member;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String member() {
    return member;
  }

  public static ApiException invalid(String member, String detail) {
    return new ApiException(400, "invalid_request", detail, member);
  }

  public static ApiException notFound() {
    return new ApiException(404, "not_found", "The resource does not exist.");
  }

  public static ApiException forbidden() {
    return new ApiException(403, "forbidden", "This key's roles do not allow this operation.");
  }
}
