#!/usr/bin/env bash
# The cheapest protection of the small workloads of
# benches/protect_vs_tauargus.sh, by an exact integer program in HiGHS
# (benches/protect_optimum.py says which models are exact): how far
# `cellbound protect`'s patterns are from the optimum.
#
#   benches/protect_optimum.sh                 unity, value and inner costs
#   COSTS=unity benches/protect_optimum.sh     one cost
#
# Makes a venv under target/ with highspy; the true tables are written by
# `cellbound synth --truth` as in protect_vs_tauargus.py (seed 1), into
# target/bench-optimum/. OPT_SECONDS (default 600) is HiGHS's limit per
# model.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench-optimum
mkdir -p "$OUT"
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet -p cellbound-cli
BIN=$TARGET/release/cellbound
VENV=target/highs-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import highspy" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet highspy==1.16.0 numpy
fi
"$BIN" synth --shape grid --rows 50 --cols 10 --seed 1 -o "$OUT/grid-50x10-synth.csv" --truth "$OUT/grid-50x10.csv"
"$BIN" synth --shape hier --geo 3,9,27 --ind 3,6,12 --seed 1 -o "$OUT/hier-small-synth.json" --truth "$OUT/hier-3.9.27x3.6.12.json"
for cost in ${COSTS:-unity value inner}; do
  "$VENV/bin/python" benches/protect_optimum.py --bin "$BIN" --cost "$cost" \
    --time-limit "${OPT_SECONDS:-600}" "$OUT/grid-50x10.csv" "$OUT/hier-3.9.27x3.6.12.json" |
    grep -v -e "^Running HiGHS" -e "^Includes third-party"
done
