#!/usr/bin/env bash
# The test-only virtual environment in which tests/test_kgx.py runs `kgx validate` on our KGX
# export. kgx pulls in docker, neo4j, duckdb, linkml and more (about 740 MB), so it stays out
# of .venv and of stemkg's dependencies. The versions are pinned: scripts/kgx_validate.py runs
# kgx offline through its internals (bmt's Toolkit defaults, kgx's JSON-LD context map).
# Usage: scripts/kgx-venv.sh [VENV]   (default .venv-kgx; does nothing when it is up to date)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv-kgx}
packages=(kgx==2.6.0 bmt==1.5.0 biolink-model==4.4.6)
stamp="$venv/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${packages[*]}" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "${packages[@]}"
echo "${packages[*]}" > "$stamp"
echo "kgx venv ready: $venv (${packages[*]})"
