#!/usr/bin/env bash
# Benchmarks, end to end through the release binary.
#
#   benches/run.sh                 every workload below (synth + bounds)
#   benches/run.sh grids|hier|cubes  one family
#   benches/run.sh pair FILE.csv [bounds flags]
#                                  cellbound and the per-cell HiGHS baseline
#                                  (benches/highs_baseline.py) on the same
#                                  file: checks the bounds are identical and
#                                  prints the ratio
#   benches/run.sh impute          bounds and impute side by side (fit,
#                                  midpoint, --means) on the workloads
#                                  IMPUTE_WORKLOADS names (default: the
#                                  1000x40 and 2000x50 grids, the
#                                  1.2-million-cell hierarchy, cube 20)
#   benches/run.sh pairs           `pair` on generated 50x10, 300x20 and
#                                  300x30 grids (PAIRS="1000:40:0.12" for
#                                  others: rows:cols:share of small cells)
#   benches/run.sh fourd           the 4-D table of τ-ARGUS's size (Year x
#                                  Size x Region x IndustryCode, 164,430
#                                  cells) with complements, without, and
#                                  mostly zeros (see below): synth, then
#                                  bounds and audit --truth, each with
#                                  --time-limit FOURD_TIME_LIMIT (seconds,
#                                  default 600, the issue's target)
#
# Each run records wall time and peak memory with /usr/bin/time -v, and
# the components with `cellbound bounds --stats`. Files go to
# target/bench/. BENCH_TIMEOUT (seconds, default 900) stops a run that
# takes longer. The generated tables use --open (complementary cells may
# be any size), as the suppression that made them assumes.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench
mkdir -p "$OUT"
BIN=${CARGO_TARGET_DIR:-target}/release/cellbound
TIMEOUT=${BENCH_TIMEOUT:-900}
cargo build --release --quiet -p cellbound-cli
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

# name | synth arguments | file extension
WORKLOADS=(
  "grid-50x10|--shape grid --rows 50 --cols 10|csv"
  "grid-300x20|--shape grid --rows 300 --cols 20 --small 0.11|csv"
  "grid-300x30|--shape grid --rows 300 --cols 30|csv"
  "grid-1000x40|--shape grid --rows 1000 --cols 40 --small 0.12|csv"
  "grid-2000x50-third|--shape grid --rows 2000 --cols 50 --small 0.33|csv"
  "hier-3x8x40-by-3x6x15|--shape hier --geo 3,8,40 --ind 3,6,15|json"
  "hier-5x30x300-by-5x20x100|--shape hier --geo 5,30,300 --ind 5,20,100|json"
  "hier-10x100x2000-by-10x50x500|--shape hier --geo 10,100,2000 --ind 10,50,500|json"
  "cube-5x5x5|--shape cube --dims 5,5,5|json"
  "cube-8x8x8|--shape cube --dims 8,8,8|json"
  "cube-12x12x12|--shape cube --dims 12,12,12|json"
  "cube-20x20x20|--shape cube --dims 20,20,20|json"
  "cube-30x30x30|--shape cube --dims 30,30,30|json"
  "cube-40x30x20|--shape cube --dims 40,30,20|json"
  "cube-35x35x30|--shape cube --dims 35,35,30|json"
  "cube-40x35x30|--shape cube --dims 40,35,30|json"
  "cube-40x40x20|--shape cube --dims 40,40,20|json"
  "cube-40x40x30|--shape cube --dims 40,40,30|json"
  "cube-50x40x30|--shape cube --dims 50,40,30|json"
  "cube-60x40x30|--shape cube --dims 60,40,30|json"
)

# Runs a command under /usr/bin/time -v; prints "seconds peak_MiB status".
timed() {
  local log=$1; shift
  local status=0 t0 t1 wall peak
  t0=$(date +%s.%N)
  /usr/bin/time -v timeout "$TIMEOUT" "$@" 2>"$log" || status=$?
  t1=$(date +%s.%N)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  peak=$(grep "Maximum resident set size" "$log" | awk '{printf "%.0f", $NF/1024}')
  echo "$wall $peak $status"
}

run_workload() {
  local name=$1 args=$2 ext=$3
  local file="$OUT/$name.$ext"
  # shellcheck disable=SC2086
  $BIN synth $args --seed 1 -o "$file" --truth "$OUT/$name.truth.$ext" 2>"$OUT/$name.synth.log"
  read -r wall peak status < <(timed "$OUT/$name.time.log" $BIN bounds "$file" --open --quiet --stats --format json -o "$OUT/$name.bounds.json")
  local stats
  stats=$(grep "cellbound: stats" "$OUT/$name.time.log" | sed 's/cellbound: stats: //' || true)
  local cells
  cells=$(sed 's/cellbound synth: //' "$OUT/$name.synth.log")
  if [ "$status" = 124 ]; then
    echo "| $name | $cells | timed out after ${TIMEOUT} s | $peak MiB | |"
  else
    echo "| $name | $cells | $wall s | $peak MiB | $stats |"
  fi
}

venv() {
  if [ ! -x "$OUT/venv/bin/python" ]; then
    python3 -m venv "$OUT/venv"
    "$OUT/venv/bin/pip" install --quiet scipy
  fi
}

pair() {
  local file=$1; shift
  venv
  local stem
  stem=$(basename "${file%.*}")
  read -r cb_wall cb_peak cb_status < <(timed "$OUT/$stem.pair-cb.log" $BIN bounds "$file" "$@" --quiet --format json -o "$OUT/$stem.pair-cellbound.json")
  read -r hs_wall hs_peak hs_status < <(timed "$OUT/$stem.pair-highs.log" "$OUT/venv/bin/python" benches/highs_baseline.py "$file" "$@" -o "$OUT/$stem.pair-highs.json")
  if [ "$cb_status" != 0 ] || [ "$hs_status" != 0 ]; then
    echo "pair $file: cellbound exit $cb_status, HiGHS baseline exit $hs_status" >&2
    return 1
  fi
  "$OUT/venv/bin/python" - "$OUT/$stem.pair-cellbound.json" "$OUT/$stem.pair-highs.json" "$cb_wall" "$hs_wall" "$file" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
cb, hs = float(sys.argv[3]), float(sys.argv[4])
same = a["cells"] == b["cells"]
diff = sum(x != y for x, y in zip(a["cells"], b["cells"]))
print(f"{sys.argv[5]}: {len(a['cells'])} hidden cells; cellbound {cb:.3f} s, "
      f"HiGHS per cell {hs:.2f} s, ratio {hs / max(cb, 0.001):.0f}x; "
      f"bounds {'identical' if same else f'DIFFER in {diff} cells'}")
sys.exit(0 if same else 1)
EOF
}

family() {
  echo "| workload | cells | wall | peak memory | solver |"
  echo "|---|---|---|---|---|"
  for w in "${WORKLOADS[@]}"; do
    IFS='|' read -r name args ext <<<"$w"
    case "$1" in
      all) ;;
      grids) [[ $name == grid-* ]] || continue ;;
      hier) [[ $name == hier-* ]] || continue ;;
      cubes) [[ $name == cube-* ]] || continue ;;
    esac
    run_workload "$name" "$args" "$ext"
  done
}

# One workload's bounds and impute runs, side by side: wall seconds each.
impute_row() {
  local name=$1 args=$2 ext=$3
  local file="$OUT/$name.$ext"
  # shellcheck disable=SC2086
  $BIN synth $args --seed 1 -o "$file" 2>/dev/null
  local row="| $name |"
  local run
  for run in "bounds" "impute" "impute --method midpoint" "impute --means"; do
    # shellcheck disable=SC2086
    read -r wall peak status < <(timed "$OUT/$name.imp.log" $BIN $run "$file" --open --quiet -o "$OUT/$name.imp-out.$ext")
    if [ "$status" = 0 ]; then
      row="$row $wall s ($peak MiB) |"
    else
      row="$row exit $status after $wall s |"
    fi
  done
  echo "$row"
}

# The 4-D table of τ-ARGUS's test data, synthetic: Year (4, flat) x Size
# (5 classes, flat) x Region (4 > 16) x IndustryCode (10 > 50 > 200), every
# dimension with its total; counts 1..4 primary (15% of the cells, as in
# τ-ARGUS's table), then synth's complements (`fourd`) or none
# (`fourd-primary`, as τ-ARGUS's JJ after the frequency rule alone);
# `fourd-sparse`: mostly zeros (85%), as a table of few records, whose
# 27,028 primary cells (16%) form one component of 27,004.
FOURD="--shape nd --levels year=4 --levels size=5 --levels region=4,16 --levels industry=10,50,200 --small 0.33 --zeros 0.3"

fourd_row() {
  local name=$1 args=$2 limit=$3
  local file="$OUT/$name.json" truth="$OUT/$name.truth.json"
  # shellcheck disable=SC2086
  $BIN synth $args --seed 1 -o "$file" --truth "$truth" 2>"$OUT/$name.synth.log"
  local cells stats
  cells=$(sed 's/cellbound synth: //' "$OUT/$name.synth.log")
  read -r wall peak status < <(timed "$OUT/$name.bounds.log" $BIN bounds "$file" --open --quiet --stats --time-limit "$limit" --format json -o "$OUT/$name.bounds.json")
  stats=$(grep "cellbound: stats" "$OUT/$name.bounds.log" | sed 's/cellbound: stats: //' || true)
  echo "| $name | $cells | bounds --open | $status | $wall s | $peak MiB | $stats |"
  read -r wall peak status < <(timed "$OUT/$name.audit.log" $BIN audit "$file" --truth "$truth" --quiet --time-limit "$limit" --format json -o "$OUT/$name.audit.json")
  echo "| $name | $cells | audit --truth | $status | $wall s | $peak MiB | |"
}

fourd() {
  local limit=${FOURD_TIME_LIMIT:-600}
  echo "--time-limit $limit"
  echo
  echo "| workload | cells | run | exit | wall | peak memory | solver |"
  echo "|---|---|---|---|---|---|---|"
  fourd_row fourd "$FOURD" "$limit"
  fourd_row fourd-primary "$FOURD --primary-only" "$limit"
  fourd_row fourd-sparse "${FOURD% --small*} --small 0.1 --zeros 0.85 --primary-only" "$limit"
}

case "${1:-all}" in
  pair) shift; pair "$@" ;;
  fourd) fourd ;;
  impute)
    echo "| workload | bounds | impute (fit) | impute --method midpoint | impute --means |"
    echo "|---|---|---|---|---|"
    for w in "${WORKLOADS[@]}"; do
      IFS='|' read -r name args ext <<<"$w"
      case " ${IMPUTE_WORKLOADS:-grid-1000x40 grid-2000x50-third hier-10x100x2000-by-10x50x500 cube-20x20x20} " in
        *" $name "*) impute_row "$name" "$args" "$ext" ;;
      esac
    done ;;
  pairs)
    for spec in ${PAIRS:-50:10:0.05 300:20:0.11 300:30:0.05}; do
      IFS=: read -r r c s <<<"$spec"
      f="$OUT/pair-grid-${r}x${c}.csv"
      $BIN synth --shape grid --rows "$r" --cols "$c" --small "$s" --seed 1 -o "$f" 2>/dev/null
      pair "$f" --open
    done ;;
  all|grids|hier|cubes) family "${1:-all}" ;;
  *) sed -n '2,31p' "$0"; exit 2 ;;
esac
