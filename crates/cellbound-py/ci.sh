#!/usr/bin/env bash
# Builds and tests the Python package from a clean clone: its own venv
# (target/py-venv), maturin, pandas and pytest from PyPI, the package
# installed with `pip install ./crates/cellbound-py`, the CLI built in
# release for the agreement tests, then pytest. Exits nonzero on failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$root/target/py-venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "maturin>=1.5,<2" pandas pytest
echo "--- pip install ./crates/cellbound-py"
PATH="$venv/bin:$PATH" "$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps ./crates/cellbound-py
echo "--- cargo build --release -p cellbound-cli (the CLI the tests compare with)"
cargo build --release --quiet -p cellbound-cli
echo "--- pytest"
CELLBOUND_BIN="$target/release/cellbound" "$venv/bin/python" -m pytest -q "$here/tests"
