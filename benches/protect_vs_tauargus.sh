#!/usr/bin/env bash
# `cellbound protect` against τ-ARGUS (pytauargus 0.6.0, headless, HiGHS)
# on the same true tables, with the same rule: counts 1..4 primary
# (τ-ARGUS FREQ(5,30), cellbound --threshold 5), 30% upper and lower
# protection (τ-ARGUS's levels, max(1, 30% of the value); cellbound
# --upper-protection 30 --lower-protection 30), cost the cell's value.
# Two linked pairs (tables with common cells) among them: cellbound
# protects each pair together; τ-ARGUS, run headless without its linked
# tables procedure, protects each table alone, and the two patterns are
# audited together.
#
#   benches/protect_vs_tauargus.sh            every workload
#   benches/protect_vs_tauargus.sh grid-50x10 one (names in the .py)
#   benches/protect_vs_tauargus.sh --cellbound-only   cellbound rows alone
#
# Makes a venv under target/ and pip-installs pytauargus there. Per method
# it reports the complementary cells, their total value, the wall time,
# and whether the pattern passes `cellbound audit` (with the cells that
# fail). Files go to target/bench-protect/. BENCH_TIMEOUT (seconds, default
# 900) stops a run that takes longer; TAU_MINUTES (default 5) is the max
# time given to τ-ARGUS's MOD and OPT.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench-protect
mkdir -p "$OUT"
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet -p cellbound-cli
BIN=$TARGET/release/cellbound
VENV=target/tau-venv
if [ ! -x "$VENV/bin/tauargus" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pytauargus==0.6.0
fi
"$VENV/bin/python" benches/protect_vs_tauargus.py --bin "$BIN" --out "$OUT" \
  --tauargus "$VENV/bin/tauargus" --timeout "${BENCH_TIMEOUT:-900}" \
  --tau-minutes "${TAU_MINUTES:-5}" "$@"
