package in.ies.headend;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The X-IES-Signature of docs/ingest.md: an RFC 7515 compact JWS with the RFC 7797 unencoded
 * payload option, payload detached ({@code BASE64URL(header) + ".." + BASE64URL(signature)}),
 * its protected header binding the request (iat, jti, htm, htu, tenant).
 */
public final class DetachedJws {
  private DetachedJws() {}

  /** What the protected header binds besides alg and kid. */
  public record Binding(long iat, String jti, String htm, String htu, String tenant) {}

  public static JWSHeader header(String kid, Binding b) {
    return new JWSHeader.Builder(JWSAlgorithm.ES256)
        .keyID(kid)
        .base64URLEncodePayload(false)
        .criticalParams(Set.of("b64"))
        .customParam("iat", b.iat())
        .customParam("jti", b.jti())
        .customParam("htm", b.htm())
        .customParam("htu", b.htu())
        .customParam("tenant", b.tenant())
        .build();
  }

  /**
   * RFC 7797 section 3: the signing input is ASCII(BASE64URL(header)) || '.' || the payload
   * bytes as they are. Built here from the exact body bytes and handed to Nimbus's signer,
   * rather than through JWSObject, which holds an unencoded payload as a string and would
   * only round-trip bodies that are valid UTF-8.
   */
  public static byte[] signingInput(Base64URL header, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 256);
    out.writeBytes(header.toString().getBytes(StandardCharsets.US_ASCII));
    out.write('.');
    out.writeBytes(body);
    return out.toByteArray();
  }

  public static String sign(byte[] body, ECKey key, Binding binding) throws JOSEException {
    JWSHeader header = header(key.getKeyID(), binding);
    Base64URL encodedHeader = header.toBase64URL();
    Base64URL signature = new ECDSASigner(key).sign(header, signingInput(encodedHeader, body));
    return encodedHeader + ".." + signature;
  }
}
