package io.bulwark.http.auth;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * JWT bearer authentication against an enterprise's own identity provider (ADR 0021). Present only
 * when configured; every rule is checked here, so a node with a bad value does not start.
 *
 * @param issuer the exact {@code iss} a token must carry
 * @param jwksUrl where the IdP publishes its signing keys (https, or http on loopback only)
 * @param audience the {@code aud} a token must contain
 * @param tenantClaim the claim holding the tenant id
 * @param rolesClaim the claim holding the roles (admin, operator, viewer)
 * @param algorithms the JWS algorithms accepted: asymmetric only, never {@code none} or HS*
 * @param clockSkew tolerance on {@code exp} and {@code nbf}, at most 5 minutes
 * @param jwksTimeout bound on one JWKS fetch (connect and read), and on a caller's wait for it
 * @param jwksCacheTtl how long a fetched key set is used before it is fetched again
 * @param jwksMinRefetchInterval the least time between two fetches, whatever the tokens say
 */
public record JwtSettings(
    String issuer,
    URI jwksUrl,
    String audience,
    String tenantClaim,
    String rolesClaim,
    Set<String> algorithms,
    Duration clockSkew,
    Duration jwksTimeout,
    Duration jwksCacheTtl,
    Duration jwksMinRefetchInterval) {

  public static final String DEFAULT_TENANT_CLAIM = "bulwark_tenant";
  public static final String DEFAULT_ROLES_CLAIM = "bulwark_roles";
  public static final Set<String> DEFAULT_ALGORITHMS = Set.of("RS256", "ES256");
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  public static final Duration DEFAULT_JWKS_TIMEOUT = Duration.ofSeconds(3);
  public static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_JWKS_MIN_REFETCH_INTERVAL = Duration.ofSeconds(10);

  /**
   * Asymmetric signatures nimbus verifies with the JDK alone. HS* is never accepted: an HMAC
   * "signed" with the IdP's public key would verify against that public key (the classic algorithm
   * confusion); EdDSA would need Tink, which is not on the class path.
   */
  public static final Set<String> SUPPORTED_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  private static final Pattern CLAIM_NAME = Pattern.compile("^[A-Za-z0-9_.:/-]{1,100}$");

  public JwtSettings {
    if (issuer == null || issuer.isBlank() || issuer.length() > 500) {
      throw new IllegalArgumentException("the issuer must be given (at most 500 characters)");
    }
    checkJwksUrl(jwksUrl);
    if (audience == null || audience.isBlank() || audience.length() > 500) {
      throw new IllegalArgumentException("the audience must be given (at most 500 characters)");
    }
    checkClaimName("tenant claim", tenantClaim);
    checkClaimName("roles claim", rolesClaim);
    algorithms = checkAlgorithms(algorithms);
    if (clockSkew == null || clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new IllegalArgumentException("the clock skew must be between 0 and 300 seconds");
    }
    positive("JWKS timeout", jwksTimeout);
    positive("JWKS cache time", jwksCacheTtl);
    positive("JWKS minimum refetch interval", jwksMinRefetchInterval);
    if (jwksMinRefetchInterval.compareTo(jwksCacheTtl) > 0) {
      throw new IllegalArgumentException(
          "the JWKS minimum refetch interval cannot exceed the JWKS cache time");
    }
  }

  /** The defaults for everything but what must be given. */
  public static JwtSettings of(String issuer, URI jwksUrl, String audience) {
    return new JwtSettings(
        issuer,
        jwksUrl,
        audience,
        DEFAULT_TENANT_CLAIM,
        DEFAULT_ROLES_CLAIM,
        DEFAULT_ALGORITHMS,
        DEFAULT_CLOCK_SKEW,
        DEFAULT_JWKS_TIMEOUT,
        DEFAULT_JWKS_CACHE_TTL,
        DEFAULT_JWKS_MIN_REFETCH_INTERVAL);
  }

  public JwtSettings withClaims(String tenant, String roles) {
    return new JwtSettings(
        issuer,
        jwksUrl,
        audience,
        tenant,
        roles,
        algorithms,
        clockSkew,
        jwksTimeout,
        jwksCacheTtl,
        jwksMinRefetchInterval);
  }

  public JwtSettings withAlgorithms(Set<String> names) {
    return new JwtSettings(
        issuer,
        jwksUrl,
        audience,
        tenantClaim,
        rolesClaim,
        names,
        clockSkew,
        jwksTimeout,
        jwksCacheTtl,
        jwksMinRefetchInterval);
  }

  public JwtSettings withClockSkew(Duration skew) {
    return new JwtSettings(
        issuer,
        jwksUrl,
        audience,
        tenantClaim,
        rolesClaim,
        algorithms,
        skew,
        jwksTimeout,
        jwksCacheTtl,
        jwksMinRefetchInterval);
  }

  public JwtSettings withJwks(Duration timeout, Duration cacheTtl, Duration minRefetchInterval) {
    return new JwtSettings(
        issuer,
        jwksUrl,
        audience,
        tenantClaim,
        rolesClaim,
        algorithms,
        clockSkew,
        timeout,
        cacheTtl,
        minRefetchInterval);
  }

  /** A comma-separated list such as "RS256,ES256", checked like the record's component. */
  public static Set<String> parseAlgorithms(String raw) {
    return checkAlgorithms(
        Arrays.stream(raw.split("[,\\s]+"))
            .map(a -> a.strip())
            .filter(a -> !a.isEmpty())
            .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)));
  }

  private static Set<String> checkAlgorithms(Set<String> names) {
    if (names == null || names.isEmpty()) {
      throw new IllegalArgumentException("at least one algorithm is needed, e.g. RS256");
    }
    for (String name : names) {
      String upper = name.toUpperCase(Locale.ROOT);
      if (upper.equals("NONE") || upper.startsWith("HS")) {
        throw new IllegalArgumentException(
            "'" + name + "' is never accepted: only asymmetric signatures (RS*, PS*, ES*)");
      }
      if (!SUPPORTED_ALGORITHMS.contains(name)) {
        throw new IllegalArgumentException(
            "'"
                + name
                + "' is not a supported algorithm; expected some of "
                + List.copyOf(new java.util.TreeSet<>(SUPPORTED_ALGORITHMS)));
      }
    }
    return Set.copyOf(names);
  }

  private static void checkJwksUrl(URI url) {
    if (url == null || url.getHost() == null || url.getRawUserInfo() != null) {
      throw new IllegalArgumentException("the JWKS URL must be an absolute https URL");
    }
    String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
    boolean loopback =
        url.getHost().equals("127.0.0.1")
            || url.getHost().equals("localhost")
            || url.getHost().equals("[::1]");
    if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
      throw new IllegalArgumentException(
          "the JWKS URL must use https (plain http only on loopback): keys fetched in clear"
              + " could be replaced on the way");
    }
  }

  private static void checkClaimName(String what, String name) {
    if (name == null || !CLAIM_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "the " + what + " must be a claim name (letters, digits, _ . : / -; at most 100)");
    }
  }

  private static void positive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("the " + what + " must be positive");
    }
  }
}
