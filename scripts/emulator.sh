#!/usr/bin/env bash
# The local AWS emulator (moto server, pinned) in a project-local venv.
#   scripts/emulator.sh install        create .venv-emulator with moto[server]==5.2.5 and the IAM
#                                      policy linter parliament==1.6.4, and the SQL oracle duckdb +
#                                      sqlglot (+ numpy, for its functions) (idempotent)
#   scripts/emulator.sh run [PORT]     install, then serve on 127.0.0.1:PORT (default 5055) in the foreground
# The integration tests call `install` themselves and start their own server on a free port.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TRAILCTL_EMULATOR_VENV:-$root/.venv-emulator}"
pin="moto[server]==5.2.5 parliament==1.6.4 duckdb==2.0.1 sqlglot==30.31.0 numpy==2.4.6"
python="${PYTHON:-python3}"

install() {
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.trailctl-pin" 2>/dev/null)" = "$pin" ]; then
    return 0
  fi
  echo "emulator: installing $pin into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # shellcheck disable=SC2086 # the pin is a list of requirements
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $pin
  echo "$pin" > "$venv/.trailctl-pin"
}

case "${1:-}" in
  install) install ;;
  run)
    install
    exec "$venv/bin/python" "$root/tests/emulator/moto_server.py" -H 127.0.0.1 -p "${2:-5055}"
    ;;
  *) echo "usage: $0 install | run [PORT]" >&2; exit 1 ;;
esac
