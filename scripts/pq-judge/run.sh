#!/usr/bin/env bash
# Verifies the ML-DSA-44 line of a signed checkpoint with pyca/cryptography (PyPI), written
# from the C2SP specs alone: the project's post-quantum signatures judged by code it did not
# write. cryptography is installed once into a venv under .cache/ and reused offline.
#   bash scripts/pq-judge/run.sh NOTE_FILE VKEY
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib/pip-venv.sh
source "$root/scripts/lib/pip-venv.sh"
version=50.0.2
venv="${IES_CACHE_DIR:-$root/.cache}/pq-judge-cryptography-$version"
pip_venv "$venv" "cryptography==$version" 'from cryptography.hazmat.primitives.asymmetric.mldsa import MLDSA44PublicKey'
exec "$venv/bin/python" "$here/verify_mldsa.py" "$@"
