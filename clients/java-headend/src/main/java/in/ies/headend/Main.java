package in.ies.headend;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * ies-headend: a head-end's side of docs/ingest.md. `send` prints one line of JSON (what
 * happened) on stdout and exits 0 when the batch was accepted (and, with --receipt, its
 * receipt fetched); 1 when the node refused it (the problem+json is in the line); 3 when it
 * gave up waiting (retries or the receipt); 2 on a usage or local error.
 */
public final class Main {
  static final int OK = 0, REFUSED = 1, USAGE = 2, GAVE_UP = 3;

  static final String USAGE_TEXT = String.join("\n",
      "usage:",
      "  ies-headend keygen --out DIR [--name NAME]",
      "      a P-256 key: DIR/NAME.private.jwk.json (mode 600) and DIR/NAME.public.jwk.json (for the registry); prints the kid",
      "  ies-headend sign --key FILE --tenant DISCOM --file BODY [--jti ID] [--url URL]",
      "      prints the X-IES-Signature of BODY for POST <URL>/v1/meter-data",
      "  ies-headend send --url URL --key FILE --tenant DISCOM --head-end ID --file BODY",
      "                   [--content-type TYPE] [--jti ID] [--max-attempts 8] [--max-wait-seconds 120]",
      "                   [--receipt --node-id ID [--receipt-timeout-seconds 60] [--receipt-out FILE]]",
      "      posts BODY (text/csv for .csv, application/json for .json) signed as batch ID (default: a new UUID),",
      "      retrying 503 with the same ID after Retry-After; with --receipt, fetches the batch's receipt");

  public static void main(String[] argv) {
    System.exit(run(argv));
  }

  static int run(String[] argv) {
    try {
      Args args = new Args(argv);
      return switch (args.command) {
        case "keygen" -> keygen(args);
        case "sign" -> sign(args);
        case "send" -> send(args);
        default -> throw new Args.UsageException("unknown command " + args.command);
      };
    } catch (Args.UsageException e) {
      System.err.println("ies-headend: " + e.getMessage());
      System.err.println(USAGE_TEXT);
      return USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return GAVE_UP;
    } catch (Exception e) {
      System.err.println("ies-headend: " + e);
      return USAGE;
    }
  }

  static int keygen(Args args) throws Exception {
    ECKey key = SigningKey.generate();
    Path dir = Path.of(args.required("out"));
    String name = args.get("name", "headend");
    SigningKey.write(key, dir, name);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kid", key.getKeyID());
    out.put("alg", "ES256");
    out.put("private", dir.resolve(name + ".private.jwk.json").toString());
    out.put("public", dir.resolve(name + ".public.jwk.json").toString());
    System.out.println(JSONObjectUtils.toJSONString(out));
    return OK;
  }

  static int sign(Args args) throws Exception {
    MeterDataClient client = client(args, "ies-node-local");
    byte[] body = Files.readAllBytes(Path.of(args.required("file")));
    System.out.println(client.signature(body, args.get("jti", UUID.randomUUID().toString())));
    return OK;
  }

  static int send(Args args) throws Exception {
    String file = args.required("file");
    String contentType = args.get("content-type", contentTypeOf(file));
    String jti = args.get("jti", UUID.randomUUID().toString());
    boolean wantReceipt = args.flag("receipt");
    MeterDataClient client = client(args, wantReceipt ? args.required("node-id") : args.get("node-id", ""));
    byte[] body = Files.readAllBytes(Path.of(file));

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("ok", false);
    summary.put("file", file);
    summary.put("contentType", contentType);
    summary.put("jti", jti);
    MeterDataClient.Outcome sent = client.submit(body, contentType, jti);
    describe(summary, sent);
    if (!sent.accepted()) return print(summary, sent.gaveUp() ? GAVE_UP : REFUSED);

    Map<String, Object> accepted = sent.last().json();
    summary.put("batchId", accepted.get("batchId"));
    summary.put("replayed", sent.last().replayed());
    summary.put("counts", accepted.get("counts"));
    if (!wantReceipt) {
      summary.put("ok", true);
      return print(summary, OK);
    }
    MeterDataClient.Outcome receipt = client.receipt(String.valueOf(accepted.get("receiptUrl")), args.number("receipt-timeout-seconds", 60) * 1000);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("polls", receipt.attempts());
    summary.put("receipt", r);
    if (receipt.last() == null || receipt.last().status() != 200) {
      if (receipt.last() != null) r.put("status", receipt.last().status());
      if (receipt.last() != null && !receipt.last().json().isEmpty()) r.put("problem", receipt.last().json());
      r.put("stopReason", receipt.stopReason());
      return print(summary, receipt.gaveUp() ? GAVE_UP : REFUSED);
    }
    r.put("status", 200);
    Object body200 = receipt.last().json().get("receipt");
    if (body200 instanceof Map<?, ?> doc) {
      r.put("logIndex", doc.get("logIndex"));
      r.put("readCount", doc.get("readCount"));
      r.put("batchRoot", doc.get("batchRoot"));
    }
    String receiptOut = args.get("receipt-out", null);
    if (receiptOut != null) Files.writeString(Path.of(receiptOut), receipt.last().text(), StandardCharsets.UTF_8);
    summary.put("ok", true);
    return print(summary, OK);
  }

  private static void describe(Map<String, Object> summary, MeterDataClient.Outcome sent) {
    summary.put("status", sent.last() == null ? null : sent.last().status());
    summary.put("attempts", sent.attempts());
    summary.put("waitedMs", sent.waitedMs());
    if (sent.stopReason() != null) summary.put("stopReason", sent.stopReason());
    if (sent.last() != null && sent.last().status() != 202) {
      summary.put("problem", sent.last().json().isEmpty() ? Map.of("body", sent.last().text()) : sent.last().json());
    }
  }

  private static int print(Map<String, Object> summary, int code) {
    System.out.println(JSONObjectUtils.toJSONString(summary));
    return code;
  }

  static String contentTypeOf(String file) {
    if (file.endsWith(".csv")) return "text/csv";
    if (file.endsWith(".json")) return "application/json";
    throw new Args.UsageException("cannot tell the content type of " + file + ": name it .csv or .json, or give --content-type");
  }

  private static MeterDataClient client(Args args, String nodeId) throws Exception {
    ECKey key = SigningKey.load(Path.of(args.required("key")));
    MeterDataClient.Identity id = new MeterDataClient.Identity(key, args.required("tenant"), args.get("head-end", ""), nodeId);
    RetryPolicy policy = new RetryPolicy((int) args.number("max-attempts", 8), args.number("max-wait-seconds", 120) * 1000, new SecureRandom()::nextDouble);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
    return new MeterDataClient(http, URI.create(args.get("url", "http://127.0.0.1:8080")), id, policy, System::currentTimeMillis, Thread::sleep, System.err);
  }
}
