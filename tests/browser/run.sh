#!/usr/bin/env bash
# The HTML report in a real browser: writes reports of the seed tables and
# of a large synthetic grid, opens each in headless Chromium, and checks
# the DOM after the page's script ran (every hidden cell with its interval,
# the audit verdicts, a selected cell's derivation) and that a screenshot
# is not blank. Installs Debian's chromium when /usr/bin/chromium is
# missing. Exit status 0 when every check passes.
set -euo pipefail

cd "$(dirname "$0")/../.."

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    echo "--- installing chromium"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
fi

echo "--- cargo build --release -p cellbound-cli"
cargo build --release -q -p cellbound-cli
BIN="${CARGO_TARGET_DIR:-target}/release/cellbound"

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "--- writing reports in $OUT"
run() {
    # Exit 0 and 1 (an audit that fails) are answers; anything else is not.
    local rc=0
    "$@" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "FAIL: $* exited $rc" >&2
        exit 1
    fi
}
T1=examples/table1-declarations.csv
T4=examples/table4-peq-graduates.csv
TRUTH4=tests/data/audit/table4-truth.csv
run "$BIN" bounds "$T1" --open -q -o "$OUT/t1.html"
run "$BIN" bounds "$T1" --open -q --format json -o "$OUT/t1.json"
run "$BIN" explain "$T1" --open -q --cell "MRC La Mitis,Volet 1" --format table -o "$OUT/t1-explain.txt"
run "$BIN" bounds "$T4" --zeros-shown -q -o "$OUT/t4.html"
run "$BIN" bounds "$T4" --zeros-shown -q --format json -o "$OUT/t4.json"
run "$BIN" audit "$T4" --truth "$TRUTH4" -o "$OUT/a4.html"
run "$BIN" audit "$T4" --truth "$TRUTH4" --format json -o "$OUT/a4.json"
run "$BIN" audit "$T4" --truth "$TRUTH4" --zeros-shown --min-width 2 -o "$OUT/a4w.html"
run "$BIN" audit "$T4" --truth "$TRUTH4" --zeros-shown --min-width 2 --format json -o "$OUT/a4w.json"
run "$BIN" impute "$T4" --zeros-shown -q --format html -o "$OUT/i4.html"
run "$BIN" impute "$T4" --zeros-shown -q --format json -o "$OUT/i4.json"
run "$BIN" synth --rows 2000 --cols 50 -o "$OUT/big.csv"
run "$BIN" bounds "$OUT/big.csv" --open -q -o "$OUT/big.html"
run "$BIN" bounds "$OUT/big.csv" --open -q --format json -o "$OUT/big.json"

echo "--- checking in $CHROMIUM"
python3 tests/browser/check.py "$CHROMIUM" "$OUT" "${SCREENSHOT_TO:-}"
