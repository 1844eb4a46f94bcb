package in.ies.headend;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Talks to a node as docs/ingest.md describes: POST /v1/meter-data with a detached signature,
 * retried with the same jti where the answer says so, then the batch's receipt with a bearer
 * token (202 while the notary has not appended the batch, 200 with the receipt after).
 */
public final class MeterDataClient {
  public interface Sleeper { void sleep(long ms) throws InterruptedException; }

  /** The identity a head-end writes and reads as. */
  public record Identity(ECKey key, String tenant, String headEndId, String nodeId) {}

  /** One HTTP answer: status, the Retry-After and Idempotent-Replayed headers, the JSON body (empty when not JSON). */
  public record Answer(int status, String retryAfter, boolean replayed, String contentType, Map<String, Object> json, String text) {}

  /**
   * The last answer (null when none came), every status seen in order, what was waited, and
   * why it stopped when not accepted; `gaveUp`: the node invited a retry (or never answered)
   * but the client's limits were reached.
   */
  public record Outcome(Answer last, List<String> attempts, long waitedMs, String stopReason, boolean gaveUp) {
    public boolean accepted() { return last != null && last.status() == 202; }
  }

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final URI base;
  private final Identity id;
  private final RetryPolicy policy;
  private final LongSupplier clock;
  private final Sleeper sleeper;
  private final PrintStream log;

  public MeterDataClient(HttpClient http, URI base, Identity id, RetryPolicy policy, LongSupplier clock, Sleeper sleeper, PrintStream log) {
    this.http = http;
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    this.id = id;
    this.policy = policy;
    this.clock = clock;
    this.sleeper = sleeper;
    this.log = log;
  }

  public URI meterDataUri() { return base.resolve("v1/meter-data"); }

  /** The X-IES-Signature for `body` as batch `jti`, signed now. */
  public String signature(byte[] body, String jti) throws JOSEException {
    URI target = meterDataUri();
    // htu: the request path as sent, percent-encoding kept, no query (docs/ingest.md).
    return DetachedJws.sign(body, id.key(), new DetachedJws.Binding(clock.getAsLong() / 1000, jti, "POST", target.getRawPath(), id.tenant()));
  }

  /**
   * Sends the batch until it is accepted or refused for good. Every attempt carries the same
   * jti and body; each is signed afresh so that its iat stays inside the node's skew window
   * however long the retries take (the node matches a retry by jti and body, not signature).
   */
  public Outcome submit(byte[] body, String contentType, String jti) throws InterruptedException, JOSEException {
    List<String> attempts = new ArrayList<>();
    long waited = 0;
    for (int attempt = 1; ; attempt++) {
      HttpRequest request = HttpRequest.newBuilder(meterDataUri())
          .timeout(REQUEST_TIMEOUT)
          .header("Content-Type", contentType)
          .header("X-IES-Signature", signature(body, jti))
          .header("X-IES-Tenant", id.tenant())
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      RetryPolicy.Decision next;
      Answer answer = null;
      try {
        answer = send(request);
        attempts.add(String.valueOf(answer.status()));
        if (answer.status() == 202) return new Outcome(answer, attempts, waited, null, false);
        next = policy.afterStatus(attempt, answer.status(), answer.retryAfter(), Boolean.TRUE.equals(answer.json().get("retriable")), clock.getAsLong(), waited);
        log.printf("ies-headend: attempt %d of batch %s: %d %s%s%n", attempt, jti, answer.status(), problemCode(answer),
            next.retry() ? ", sending the same batch again in " + next.delayMs() + " ms" + (answer.retryAfter() == null ? "" : " (Retry-After: " + answer.retryAfter() + ")") : "");
      } catch (IOException e) {
        attempts.add("no answer");
        next = policy.afterIoError(attempt, waited);
        log.printf("ies-headend: attempt %d of batch %s: no answer (%s)%s%n", attempt, jti, e, next.retry() ? ", sending it again in " + next.delayMs() + " ms" : "");
      }
      if (!next.retry()) return new Outcome(answer, attempts, waited, next.reason(), next.exhausted());
      sleeper.sleep(next.delayMs());
      waited += next.delayMs();
    }
  }

  /** Polls the receipt until 200, a refusal, or `timeoutMs`; 202 answers are waited out by their Retry-After. */
  public Outcome receipt(String receiptUrl, long timeoutMs) throws InterruptedException, JOSEException {
    URI uri = base.resolve(receiptUrl);
    List<String> attempts = new ArrayList<>();
    long waited = 0;
    for (int attempt = 1; ; attempt++) {
      String token = BearerToken.mint(id.key(), id.headEndId(), id.nodeId(), clock.getAsLong());
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build();
      Answer answer;
      try {
        answer = send(request);
      } catch (IOException e) {
        attempts.add("no answer");
        RetryPolicy.Decision next = policy.afterIoError(attempt, waited);
        if (!next.retry() || waited + next.delayMs() > timeoutMs) return new Outcome(null, attempts, waited, "no answer: " + e, true);
        sleeper.sleep(next.delayMs());
        waited += next.delayMs();
        continue;
      }
      attempts.add(String.valueOf(answer.status()));
      if (answer.status() == 200) return new Outcome(answer, attempts, waited, null, false);
      if (answer.status() != 202 && answer.status() != 503) return new Outcome(answer, attempts, waited, "status " + answer.status() + " is final", false);
      Long asked = RetryPolicy.parseRetryAfter(answer.retryAfter(), clock.getAsLong());
      long delay = asked == null ? 1_000 : Math.max(asked, 100);
      if (waited + delay > timeoutMs) return new Outcome(answer, attempts, waited, "no receipt within " + timeoutMs + " ms", true);
      sleeper.sleep(delay);
      waited += delay;
    }
  }

  private Answer send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<byte[]> res = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    String text = new String(res.body(), StandardCharsets.UTF_8);
    String type = res.headers().firstValue("content-type").orElse("");
    Map<String, Object> json = new LinkedHashMap<>();
    if (type.startsWith("application/json") || type.startsWith("application/problem+json")) {
      try {
        json = JSONObjectUtils.parse(text);
      } catch (ParseException e) {
        throw new IOException("the answer (" + res.statusCode() + ", " + type + ") is not JSON: " + e.getMessage(), e);
      }
    }
    return new Answer(res.statusCode(), res.headers().firstValue("retry-after").orElse(null),
        "true".equals(res.headers().firstValue("idempotent-replayed").orElse(null)), type, json, text);
  }

  static String problemCode(Answer a) {
    Object code = a.json().get("code");
    return code == null ? a.contentType() : code.toString();
  }
}
