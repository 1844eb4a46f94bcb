package in.ies.headend;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;

/**
 * The head-end's P-256 key as a private JWK file: the format `ies keys generate --alg ES256`
 * writes, and the one {@link #generate} writes. ES256 only: Nimbus signs EdDSA (Ed25519)
 * through Google Tink, an extra dependency this client does without.
 */
public final class SigningKey {
  private SigningKey() {}

  public static ECKey load(Path file) throws IOException {
    JWK jwk;
    try {
      jwk = JWK.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new IOException(file + " is not a JWK: " + e.getMessage(), e);
    }
    if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve())) {
      throw new IOException(file + " holds a " + jwk.getKeyType() + " key; this client signs ES256 and needs a P-256 (kty EC) private JWK");
    }
    if (!ec.isPrivate()) throw new IOException(file + " holds no private key (\"d\")");
    if (ec.getKeyID() != null) return ec;
    try {
      return new ECKey.Builder(ec).keyIDFromThumbprint().build();
    } catch (JOSEException e) {
      throw new IOException("cannot compute the RFC 7638 thumbprint of " + file, e);
    }
  }

  /** A new key with kid = its RFC 7638 thumbprint (as the project's own keys have). */
  public static ECKey generate() throws JOSEException {
    return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).keyIDFromThumbprint(true).generate();
  }

  /** Writes NAME.private.jwk.json (mode 600, never overwritten) and NAME.public.jwk.json. */
  public static void write(ECKey key, Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path privateFile = dir.resolve(name + ".private.jwk.json");
    Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(privateFile, key.toJSONString() + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(name + ".public.jwk.json"), key.toPublicJWK().toJSONString() + "\n", StandardCharsets.UTF_8);
  }
}
