#!/usr/bin/env bash
# The OpenADR 3 client the VTN integration test drives (openadr3-client from PyPI, which needs
# Python ≥ 3.12), in a venv cached under .cache/ and installed once:
#   bash services/gateway/test/openadr-ven/venv.sh   → prints the venv's python
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
version=2.4.2
venv="$root/.cache/openadr3-client-$version"
check='import openadr3_client.oadr310'
if ! "$venv/bin/python" -c "$check" 2>/dev/null; then
  python=""
  # Debian 12's python3 is 3.11: take a newer one from PATH, or from pyenv's versions (shims may not select it).
  for candidate in python3.14 python3.13 python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then python="$candidate"; break; fi
  done
  [ -n "$python" ] || { echo '[openadr-ven] openadr3-client needs Python 3.12 or newer (python3.12 from Debian or pyenv)' >&2; exit 1; }
  echo "[openadr-ven] installing openadr3-client==$version with $python into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --prefer-binary "openadr3-client==$version" >&2
  "$venv/bin/python" -c "$check"
fi
echo "$venv/bin/python"
