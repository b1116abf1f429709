#!/usr/bin/env bash
# τ-ARGUS's audit and `cellbound audit` side by side, on the JJ files
# τ-ARGUS writes from its own test data: the 2-D Size x Region and 3-D
# Year x Size x Region tables after its modular suppression, and the 4-D
# Year x Size x Region x IndustryCode table after the frequency rule alone.
#
#   TAU_TESTDATA=DIR benches/tauargus_audit_vs_cellbound.sh [TABLE...]
#
# DIR is τ-ARGUS's test data folder (`data/` of github.com/sdcTools/tauargus):
# the `tau_testW.asc` microdata, its `Tau_TestW.rda` metadata and the
# `.hrc` and `.cdl` files the metadata names. Neither the data nor
# τ-ARGUS is part of this repository: without TAU_TESTDATA the script says
# so and exits 0; with a folder that lacks them it exits 2.
#
# Makes a venv under target/ and pip-installs pytauargus 0.6.0 there (the
# same venv as benches/protect_vs_tauargus.sh). Per table it prints the
# cells, the hidden cells, the wall time, exit status and peak memory of
# each audit, and how their intervals compare on the cells both finish.
# Files go to target/bench-tau-audit/. TAU_RESPONSE (default Var1) is the
# table's response variable (pytauargus 0.6.0 takes no `<freq>` for
# microdata); TAU_SAFETY (default FREQ(5,30): cells of 1..4 contributors
# primary) is the safety rule; BENCH_TIMEOUT (seconds, default
# 900) stops either audit; TIME_LIMIT (default 600) is cellbound's
# --time-limit.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TAU_TESTDATA:-}" ]; then
  echo "tauargus_audit_vs_cellbound: TAU_TESTDATA is not set: set it to τ-ARGUS's test data folder" >&2
  echo "  (data/ of github.com/sdcTools/tauargus, with tau_testW.asc, Tau_TestW.rda and region2.hrc);" >&2
  echo "  nothing was run." >&2
  exit 0
fi
missing=()
for f in tau_testW.asc tau_testW.rda; do
  ls "$TAU_TESTDATA" 2>/dev/null | grep -qix "$f" || missing+=("$f")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "tauargus_audit_vs_cellbound: $TAU_TESTDATA has no ${missing[*]} (file names in any case):" >&2
  echo "  set TAU_TESTDATA to τ-ARGUS's test data folder (data/ of github.com/sdcTools/tauargus)" >&2
  exit 2
fi
OUT=target/bench-tau-audit
mkdir -p "$OUT"
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet -p cellbound-cli
BIN=$TARGET/release/cellbound
VENV=target/tau-venv
if [ ! -x "$VENV/bin/tauargus" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pytauargus==0.6.0
fi
"$VENV/bin/python" benches/tauargus_audit_vs_cellbound.py --bin "$BIN" --data "$TAU_TESTDATA" \
  --out "$OUT" --response "${TAU_RESPONSE:-Var1}" --safety "${TAU_SAFETY:-FREQ(5,30)}" --timeout "${BENCH_TIMEOUT:-900}" \
  --time-limit "${TIME_LIMIT:-600}" "$@"
