package in.ies.headend;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.DoubleSupplier;

/**
 * Decides whether a batch is sent again (always with the same jti, docs/ingest.md "Answers")
 * and after how long. 503 is the node's "nothing was written, come back", and any problem+json
 * with `retriable: true` (docs/errors.md; 408 is one) says the same: their Retry-After
 * (delta-seconds or an HTTP-date, RFC 9110 section 10.2.3) is obeyed. 429 likewise. A proxy's
 * 502/504 and a broken connection get exponential back-off with jitter, since the batch may or
 * may not have landed and the same jti makes a second send safe. Anything else is final.
 */
public final class RetryPolicy {
  /** Used when a 503 comes without a usable Retry-After. */
  static final long DEFAULT_RETRY_AFTER_MS = 5_000;
  static final long BACKOFF_BASE_MS = 1_000;
  static final long BACKOFF_CAP_MS = 30_000;

  /** `exhausted`: the answer invited a retry but the attempt or wait limit is reached. */
  public record Decision(boolean retry, long delayMs, String reason, boolean exhausted) {
    static Decision stop(String reason) { return new Decision(false, 0, reason, false); }
  }

  private final int maxAttempts;
  private final long maxTotalWaitMs;
  private final DoubleSupplier random;

  public RetryPolicy(int maxAttempts, long maxTotalWaitMs, DoubleSupplier random) {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    this.maxAttempts = maxAttempts;
    this.maxTotalWaitMs = maxTotalWaitMs;
    this.random = random;
  }

  /**
   * After `attempt` (1-based) answered `status` with this Retry-After header (or null) and a
   * problem+json whose `retriable` member is `problemRetriable`; `waitedMs` is what earlier
   * retries already waited.
   */
  public Decision afterStatus(int attempt, int status, String retryAfter, boolean problemRetriable, long nowMs, long waitedMs) {
    long delay;
    if (status == 503 || status == 429 || problemRetriable) {
      Long asked = parseRetryAfter(retryAfter, nowMs);
      delay = asked == null ? DEFAULT_RETRY_AFTER_MS : asked;
    } else if (status == 502 || status == 504) {
      delay = backoff(attempt);
    } else {
      return Decision.stop("status " + status + " is final");
    }
    return bounded(attempt, delay, waitedMs, "status " + status);
  }

  /** After `attempt` failed without an answer (connection refused or reset, timeout). */
  public Decision afterIoError(int attempt, long waitedMs) {
    return bounded(attempt, backoff(attempt), waitedMs, "no answer");
  }

  private Decision bounded(int attempt, long delay, long waitedMs, String why) {
    if (attempt >= maxAttempts) return new Decision(false, 0, why + " after " + attempt + " attempt(s), the most allowed", true);
    if (waitedMs + delay > maxTotalWaitMs) return new Decision(false, 0, why + ": waiting " + delay + " ms more would exceed the " + maxTotalWaitMs + " ms allowed", true);
    return new Decision(true, delay, why, false);
  }

  long backoff(int attempt) {
    long ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS << Math.min(attempt - 1, 20));
    return (long) (ceiling * (0.5 + random.getAsDouble() / 2));
  }

  /** Retry-After as milliseconds from now, or null when absent or unreadable. */
  static Long parseRetryAfter(String value, long nowMs) {
    if (value == null || value.isBlank()) return null;
    String v = value.trim();
    if (v.matches("\\d{1,9}")) return Long.parseLong(v) * 1000;
    try {
      long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return Math.max(0, at - nowMs);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
