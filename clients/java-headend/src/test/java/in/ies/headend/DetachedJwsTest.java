package in.ies.headend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DetachedJwsTest {
  private static final ECKey KEY = generate();

  private static ECKey generate() {
    try {
      return SigningKey.generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean verifies(String compact, byte[] body) throws Exception {
    String[] parts = compact.split("\\.", -1);
    JWSHeader header = JWSHeader.parse(new Base64URL(parts[0]));
    ECDSAVerifier verifier = new ECDSAVerifier(KEY.toECPublicKey(), Set.of("b64"));
    return verifier.verify(header, DetachedJws.signingInput(new Base64URL(parts[0]), body), new Base64URL(parts[2]));
  }

  @Test
  void headerBindsTheRequestAndThePayloadIsDetachedAndUnencoded() throws Exception {
    byte[] body = "meter_id,block_start,import_wh,export_wh,status\n".getBytes(StandardCharsets.UTF_8);
    String compact = DetachedJws.sign(body, KEY, new DetachedJws.Binding(1_764_000_000L, "B-1", "POST", "/v1/meter-data", "BRPL-DL"));
    String[] parts = compact.split("\\.", -1);
    assertEquals(3, parts.length);
    assertEquals("", parts[1], "the payload part is empty: the body travels apart");
    JWSHeader header = JWSHeader.parse(new Base64URL(parts[0]));
    assertEquals("ES256", header.getAlgorithm().getName());
    assertEquals(KEY.getKeyID(), header.getKeyID());
    assertFalse(header.isBase64URLEncodePayload());
    assertEquals(Set.of("b64"), header.getCriticalParams());
    assertEquals(1_764_000_000L, ((Number) header.getCustomParam("iat")).longValue());
    assertEquals(List.of("B-1", "POST", "/v1/meter-data", "BRPL-DL"),
        List.of(header.getCustomParam("jti"), header.getCustomParam("htm"), header.getCustomParam("htu"), header.getCustomParam("tenant")));
    assertTrue(verifies(compact, body));
  }

  @Test
  void theSignatureCoversTheExactBytesEvenWhenTheyAreNotUtf8() throws Exception {
    byte[] body = {'a', ',', (byte) 0xff, (byte) 0xfe, '\n'};
    String compact = DetachedJws.sign(body, KEY, new DetachedJws.Binding(1L, "B-2", "POST", "/v1/meter-data", "BRPL-DL"));
    assertTrue(verifies(compact, body));
    byte[] tampered = body.clone();
    tampered[2] = (byte) 0xfd;
    assertFalse(verifies(compact, tampered));
  }
}
