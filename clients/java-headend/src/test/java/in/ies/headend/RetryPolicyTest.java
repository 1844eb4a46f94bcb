package in.ies.headend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(4, 60_000, () -> 0.0);

  @Test
  void a503IsRetriedAfterItsRetryAfterInSecondsOrAsADate() {
    assertEquals(5_000, policy.afterStatus(1, 503, "5", false, 0, 0).delayMs());
    long now = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(now + 7_000).atOffset(ZoneOffset.UTC));
    assertEquals(7_000, policy.afterStatus(1, 503, date, false, now, 0).delayMs());
    assertEquals(RetryPolicy.DEFAULT_RETRY_AFTER_MS, policy.afterStatus(1, 503, null, false, 0, 0).delayMs());
    assertEquals(RetryPolicy.DEFAULT_RETRY_AFTER_MS, policy.afterStatus(1, 503, "soon", false, 0, 0).delayMs());
  }

  @Test
  void aProblemMarkedRetriableIsRetriedAfterItsRetryAfter() {
    assertEquals(2_000, policy.afterStatus(1, 408, "2", true, 0, 0).delayMs());
    assertFalse(policy.afterStatus(1, 408, "2", false, 0, 0).retry());
  }

  @Test
  void refusalsAreFinal() {
    for (int status : new int[] {400, 401, 403, 409, 413, 415, 422, 500}) {
      assertFalse(policy.afterStatus(1, status, "1", false, 0, 0).retry(), "status " + status);
    }
  }

  @Test
  void retriesStopAtTheAttemptAndWaitLimits() {
    assertTrue(policy.afterStatus(3, 503, "1", false, 0, 0).retry());
    assertFalse(policy.afterStatus(4, 503, "1", false, 0, 0).retry());
    assertTrue(policy.afterStatus(4, 503, "1", false, 0, 0).exhausted());
    assertFalse(policy.afterStatus(1, 409, null, false, 0, 0).exhausted());
    assertTrue(policy.afterStatus(1, 503, "30", false, 0, 30_000).retry());
    assertFalse(policy.afterStatus(1, 503, "31", false, 0, 30_000).retry());
  }

  @Test
  void noAnswerBacksOffExponentiallyWithJitterUpToACap() {
    RetryPolicy low = new RetryPolicy(50, Long.MAX_VALUE, () -> 0.0);
    RetryPolicy high = new RetryPolicy(50, Long.MAX_VALUE, () -> 1.0);
    assertEquals(500, low.afterIoError(1, 0).delayMs());
    assertEquals(1_000, high.afterIoError(1, 0).delayMs());
    assertEquals(4_000, high.afterIoError(3, 0).delayMs());
    assertEquals(RetryPolicy.BACKOFF_CAP_MS, high.afterIoError(40, 0).delayMs());
    assertEquals(2_000, high.afterStatus(2, 502, null, false, 0, 0).delayMs());
  }

  @Test
  void retryAfterParsing() {
    assertNull(RetryPolicy.parseRetryAfter(null, 0));
    assertNull(RetryPolicy.parseRetryAfter("-1", 0));
    assertEquals(0L, RetryPolicy.parseRetryAfter("0", 0));
    assertEquals(120_000L, RetryPolicy.parseRetryAfter(" 120 ", 0));
  }
}
