package in.ies.headend;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Date;

/**
 * The short-lived bearer JWT of docs/ingest.md section 4 (RFC 7523 style), signed by the
 * head-end's registered key: iss = the head-end's participant id, aud = the node id, iat,
 * and exp at most 5 minutes ahead (2 here).
 */
public final class BearerToken {
  static final long LIFETIME_MS = 120_000;

  private BearerToken() {}

  public static String mint(ECKey key, String participantId, String nodeId, long nowMs) throws JOSEException {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(participantId)
        .audience(nodeId)
        .issueTime(new Date(nowMs))
        .expirationTime(new Date(nowMs + LIFETIME_MS))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }
}
