package io.bulwark.http.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.bulwark.domain.Ids;
import io.bulwark.domain.tenant.Role;
import io.bulwark.domain.tenant.Tenant;
import io.bulwark.http.auth.Authentication.Reason;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWTs from an enterprise's own identity provider (ADR 0021): the signature is checked with
 * the IdP's key named by the token's {@code kid} ({@link JwksKeys}), then the issuer, audience and
 * time window; the tenant and roles come from two claims, the tenant's limits from the {@link
 * KeyCache}. The caller becomes {@code Principal.tenantKey(tenant, "jwt:" + sub, roles, limits)}.
 *
 * <p>Verification runs on a small pool of its own, since a JWKS fetch blocks; a caller waits at
 * most the JWKS timeout for it. The token is never logged nor put in any answer or audit event.
 */
public final class JwtAuthenticator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

  /** What a JWT caller's key id starts with: {@code jwt:<sub>}. */
  public static final String KEY_ID_PREFIX = "jwt:";

  private static final int MAX_TOKEN_LENGTH = 16 * 1024;
  private static final Pattern JWS_SHAPE =
      Pattern.compile("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$");

  /**
   * Subjects as IdPs write them (UUIDs, "auth0|123", base64url ids, e-mail like ids), bounded: the
   * subject becomes the caller's key id in logs and audit events.
   */
  private static final Pattern SUBJECT = Pattern.compile("^[A-Za-z0-9._@|:+=~-]{1,128}$");

  private static final int THREADS = 4;
  private static final int QUEUE = 1024;

  private final JwtSettings settings;
  private final KeyCache tenants;
  private final JwksKeys keys;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final DefaultJWTClaimsVerifier<SecurityContext> forBulwark;
  private final DefaultJWTClaimsVerifier<SecurityContext> inTime;
  private final ThreadPoolExecutor executor;
  private final long waitMillis;

  public JwtAuthenticator(JwtSettings settings, KeyCache tenants) {
    this.settings = settings;
    this.tenants = tenants;
    this.keys = new JwksKeys(settings, System::nanoTime);
    Set<JWSAlgorithm> algorithms =
        settings.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
    processor = new DefaultJWTProcessor<>();
    // "JWT", RFC 9068's "at+jwt", or no typ at all, as IdPs issue them.
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    processor.setJWTClaimsSetVerifier(null); // the claims are checked below, in two steps
    // Issued by the IdP for Bulwark: only then may the tenant claim choose an audit chain.
    forBulwark =
        new DefaultJWTClaimsVerifier<>(
            Set.of(settings.audience()),
            new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
            Set.of("sub", "exp", settings.tenantClaim()),
            null) {
          @Override
          protected Date currentTime() {
            return null; // no time checks here
          }
        };
    inTime = new DefaultJWTClaimsVerifier<>(null, null, null, null);
    inTime.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    AtomicInteger threads = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              var t = new Thread(r, "bulwark-jwt-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
    // A caller waits for one fetch (and for the one in flight before it) at most.
    waitMillis = 2 * settings.jwksTimeout().toMillis() + 250;
  }

  /**
   * Three base64url parts, the first a JSON object ({@code eyJ} is base64url for <code>{"</code>):
   * a JWS in compact form (or an unsecured JWT, which is refused). An API key ({@code bwk_...}) has
   * three such parts too, but never this start.
   */
  public static boolean looksLikeJwt(String token) {
    return token.length() <= MAX_TOKEN_LENGTH
        && token.startsWith("eyJ")
        && JWS_SHAPE.matcher(token).matches();
  }

  public JwtSettings settings() {
    return settings;
  }

  /** How many JWKS fetches this node started. */
  public long jwksFetches() {
    return keys.fetches();
  }

  CompletionStage<Authentication> authenticate(String token) {
    CompletableFuture<Verified> verified;
    try {
      verified = CompletableFuture.supplyAsync(() -> verify(token), executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(Authentication.failed(Reason.IDP_UNAVAILABLE));
    }
    return verified
        .orTimeout(waitMillis, TimeUnit.MILLISECONDS)
        .exceptionally(
            e -> {
              if (!(e instanceof TimeoutException || e.getCause() instanceof TimeoutException)) {
                log.warn("JWT verification failed unexpectedly: {}", e.getClass().getName());
              }
              return Verified.failed(Reason.IDP_UNAVAILABLE);
            })
        .thenCompose(
            v ->
                v.failure != null
                    ? CompletableFuture.completedFuture(v.failure)
                    : tenants.tenant(v.tenantId).thenApply(reply -> admit(v, reply)));
  }

  private record Verified(
      JWTClaimsSet claims, String tenantId, String keyId, Authentication failure) {
    static Verified failed(Reason reason) {
      return new Verified(null, null, null, Authentication.failed(reason));
    }
  }

  /** The signature, and that the token was issued by the IdP for Bulwark. Blocking. */
  private Verified verify(String token) {
    JWTClaimsSet claims;
    try {
      JWT jwt = JWTParser.parse(token);
      if (!(jwt instanceof SignedJWT signed)) {
        return Verified.failed(Reason.INVALID_TOKEN); // alg "none"
      }
      String kid = signed.getHeader().getKeyID();
      if (kid == null || kid.isBlank() || kid.length() > 256) {
        return Verified.failed(Reason.INVALID_TOKEN);
      }
      claims = processor.process(signed, null);
    } catch (KeySourceException e) {
      return Verified.failed(Reason.IDP_UNAVAILABLE);
    } catch (java.text.ParseException | BadJOSEException | JOSEException e) {
      return Verified.failed(Reason.INVALID_TOKEN);
    } catch (RuntimeException e) {
      // Whatever a parser makes of hostile input is a bad token; the class only, never the input.
      log.debug("A JWT was refused by {}", e.getClass().getName());
      return Verified.failed(Reason.INVALID_TOKEN);
    }
    try {
      forBulwark.verify(claims, null);
    } catch (BadJWTException e) {
      return Verified.failed(Reason.INVALID_TOKEN);
    }
    Object tenant = claims.getClaim(settings.tenantClaim());
    String subject = claims.getSubject();
    if (!(tenant instanceof String tenantId)
        || !Ids.isValidResourceId(tenantId)
        || subject == null
        || !SUBJECT.matcher(subject).matches()) {
      return Verified.failed(Reason.INVALID_TOKEN);
    }
    return new Verified(claims, tenantId, KEY_ID_PREFIX + subject, null);
  }

  /**
   * Validly signed for Bulwark, of an existing tenant: from here on a failure is recorded in that
   * tenant's chain, under the token's subject.
   */
  private Authentication admit(Verified v, Tenant.LookupReply reply) {
    if (!reply.tenantExists()) {
      return Authentication.failed(Reason.UNKNOWN_TENANT);
    }
    try {
      inTime.verify(v.claims, null);
    } catch (ExpiredJWTException e) {
      return Authentication.failed(Reason.EXPIRED_TOKEN, v.tenantId, v.keyId);
    } catch (BadJWTException e) {
      return Authentication.failed(Reason.INVALID_TOKEN, v.tenantId, v.keyId);
    }
    var roles = roles(v.claims.getClaim(settings.rolesClaim()));
    if (roles.isEmpty()) {
      return Authentication.failed(Reason.INVALID_TOKEN, v.tenantId, v.keyId);
    }
    return Authentication.of(Principal.tenantKey(v.tenantId, v.keyId, roles, reply.limits()));
  }

  /**
   * The Bulwark roles a claim grants: an array of names, or one string of names separated by spaces
   * or commas. Names Bulwark does not know are ignored (an IdP may share the claim with other
   * applications); a token granting none of admin, operator, viewer is refused.
   */
  static Set<Role> roles(Object claim) {
    Collection<?> names;
    if (claim instanceof Collection<?> list) {
      names = list;
    } else if (claim instanceof String s) {
      names = java.util.Arrays.asList(s.split("[,\\s]+"));
    } else {
      return Set.of();
    }
    var roles = EnumSet.noneOf(Role.class);
    for (Object name : names) {
      if (name instanceof String s) {
        Role.parse(s.strip().toLowerCase(java.util.Locale.ROOT)).ifPresent(roles::add);
      }
    }
    return roles;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
