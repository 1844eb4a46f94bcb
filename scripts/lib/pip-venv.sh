# Sourced by the scripts that judge the project with a PyPI tool (schemathesis, chDB): one way
# to keep the tool in a cached venv under .cache/, installed once and reused offline.
#   pip_venv VENV_DIR 'package==version' 'python -c check'   → VENV_DIR ready, or exit 1
pip_venv() {
  local venv=$1 requirement=$2 check=$3
  "$venv/bin/python" -c "$check" 2>/dev/null && return 0
  printf '[venv] installing %s into %s\n' "$requirement" "$venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || { printf '[venv] python3 -m venv failed: install python3-venv (apt-get)\n' >&2; exit 1; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check --prefer-binary "$requirement"
}
