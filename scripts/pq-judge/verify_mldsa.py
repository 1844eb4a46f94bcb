"""An ML-DSA-44 checkpoint verifier written from c2sp.org/tlog-cosignature and
c2sp.org/signed-note alone, with pyca/cryptography's FIPS 204 implementation (PyPI) as the
only cryptography: it shares no code with the project it judges.

    verify_mldsa.py NOTE_FILE VKEY      exit 0 when a line by VKEY verifies over the note's
                                        checkpoint, 1 otherwise (the reason on stderr)
"""
import base64
import hashlib
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.mldsa import MLDSA44PublicKey


def fail(reason: str) -> None:
    print(f"NOT VERIFIED: {reason}", file=sys.stderr)
    sys.exit(1)


def opaque8(b: bytes) -> bytes:
    if not 1 <= len(b) <= 255:
        fail("an opaque<1..2^8-1> field is out of range")
    return bytes([len(b)]) + b


def main(note_path: str, vkey: str) -> None:
    note = open(note_path, encoding="utf-8").read()
    name, key_id_hex, key_b64 = vkey.strip().split("+", 2)
    key = base64.b64decode(key_b64)
    if key[0] != 0x06 or len(key) != 1 + 1312:
        fail("the vkey is not of signature type 0x06 with a 1312-byte ML-DSA-44 public key")
    key_id = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
    if key_id.hex() != key_id_hex:
        fail("the vkey's key ID is not SHA-256(name || newline || 0x06 || key)[:4]")
    public_key = MLDSA44PublicKey.from_public_bytes(key[1:])

    body, _, signatures = note.rpartition("\n\n")
    lines = body.split("\n")
    if len(lines) < 3:
        fail("the note body is not a checkpoint (origin, size, root hash)")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith("\u2014 "):
            fail("a signature line does not start with an em dash and a space")
        signer, blob_b64 = line[2:].split(" ", 1)
        blob = base64.b64decode(blob_b64)
        if signer != name or blob[:4] != key_id:
            continue
        (timestamp,) = struct.unpack(">Q", blob[4:12])
        message = (
            b"subtree/v1\n\x00"
            + opaque8(name.encode())
            + struct.pack(">Q", timestamp)
            + opaque8(origin.encode())
            + struct.pack(">Q", 0)
            + struct.pack(">Q", size)
            + root
        )
        try:
            public_key.verify(blob[12:], message)
        except Exception as err:  # cryptography raises InvalidSignature
            fail(f"the ML-DSA-44 signature of {name} does not verify: {err!r}")
        print(f"VERIFIED: ML-DSA-44 line of {name} over {origin} size {size} (timestamp {timestamp})")
        return
    fail(f"no signature line by {name} with key ID {key_id_hex}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
