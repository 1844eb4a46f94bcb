package in.ies.headend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retry loop against a scripted HTTP server (the JDK's own): the answers of the real node
 * are exercised by the gateway's integration test (java-headend.test.ts); this pins what the
 * client does between them.
 */
class MeterDataClientTest {
  private HttpServer server;
  private final List<String[]> seen = new ArrayList<>();
  private final List<Long> slept = new ArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private ECKey key;

  @BeforeEach
  void start() throws Exception {
    key = SigningKey.generate();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/meter-data", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      seen.add(new String[] {exchange.getRequestHeaders().getFirst("X-IES-Signature"), new String(body, StandardCharsets.UTF_8)});
      boolean first = calls.getAndIncrement() == 0;
      byte[] answer = (first
          ? "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"code\":\"IES_ERR_DEPENDENCY_UNAVAILABLE\",\"detail\":\"the replay ledger is being rebuilt\"}"
          : "{\"batchId\":\"HES-1:B-7\",\"counts\":{\"reads\":1,\"accepted\":1,\"rejected\":0},\"receiptUrl\":\"/v1/batches/HES-1%3AB-7/receipt\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", first ? "application/problem+json" : "application/json");
      if (first) exchange.getResponseHeaders().add("Retry-After", "3");
      exchange.sendResponseHeaders(first ? 503 : 202, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void a503IsWaitedOutAndTheSameBatchIsSentAgainWithTheSameJti() throws Exception {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    MeterDataClient client = new MeterDataClient(HttpClient.newHttpClient(), base,
        new MeterDataClient.Identity(key, "BRPL-DL", "HES-1", "node"), new RetryPolicy(5, 60_000, () -> 0.5),
        System::currentTimeMillis, slept::add, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    byte[] body = "meter_id,block_start,import_wh,export_wh,status\nM-1,2026-11-20T00:15:00+05:30,10,0,VALID\n".getBytes(StandardCharsets.UTF_8);

    MeterDataClient.Outcome outcome = client.submit(body, "text/csv", "B-7");

    assertTrue(outcome.accepted());
    assertEquals(List.of("503", "202"), outcome.attempts());
    assertEquals(List.of(3_000L), slept, "Retry-After: 3 is obeyed");
    assertEquals(3_000L, outcome.waitedMs());
    assertEquals(2, seen.size());
    for (String[] request : seen) {
      JWSHeader header = JWSHeader.parse(new Base64URL(request[0].split("\\.")[0]));
      assertEquals("B-7", header.getCustomParam("jti"));
      assertArrayEquals(body, request[1].getBytes(StandardCharsets.UTF_8));
    }
  }
}
