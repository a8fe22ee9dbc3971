#!/usr/bin/env bash
# Pathological shapes (issue 20, item 1): generates one file per shape that once made a stage
# super-linear, checks each with one thread in `json` and in `pretty` output, and prints a
# Markdown table: MB/s per shape and format (by the CPU time of the best of $REPEAT runs,
# start-up included), the findings, and the pretty output's size against the JSON output's. It exits 1
# when a shape runs below $MIN_MBS MB/s, when pretty output is over $MAX_RATIO times the JSON
# output, or when a run hits the time budget (HL008) or breaks down (HL000).
#
#   bench/shapes.sh
#
# Environment: WORK (default /tmp/healthlint-shapes), REPEAT (3), MIN_MBS (10), MAX_RATIO (3).
# The shapes are written by `bench/shapes.py` (python3): invented advice with drug names and
# doses, and a claim the rules report about every 2 KB (every 100 bytes on the one line of
# `findings-on-one-line`), the same bytes every time.
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/healthlint-shapes}
REPEAT=${REPEAT:-3}
MIN_MBS=${MIN_MBS:-10}
MAX_RATIO=${MAX_RATIO:-3}
BIN=target/release/healthlint
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then BIN=$CARGO_TARGET_DIR/release/healthlint; fi

cargo build --release --quiet --bin healthlint
mkdir -p "$WORK"

python3 bench/shapes.py "$WORK"

# best FILE FORMAT: "wall cpu" of the run with the least CPU time (user + system) of $REPEAT,
# in seconds; the last run's output is kept in $WORK/out.FORMAT. One thread: on an idle
# machine the two are equal, on a shared one the CPU time is the figure that holds.
best() {
  local best="" wall="" t
  for ((i = 0; i < REPEAT; i++)); do
    /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" \
      "$BIN" check --isolated --jobs 1 --format "$2" --color never "$1" > "$WORK/out.$2" 2>/dev/null || true
    t=$(tail -1 "$WORK/time.txt" | awk '{print $2 + $3}')
    if [[ -z "$best" ]] || awk "BEGIN{exit !($t < $best)}"; then
      best=$t wall=$(tail -1 "$WORK/time.txt" | awk '{print $1}')
    fi
  done
  echo "$wall $best"
}

failed=0
echo "healthlint $("$BIN" --version | cut -d' ' -f2), one thread, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| shape | MB | findings | json: wall / CPU s | json MB/s (CPU) | pretty: wall / CPU s | pretty MB/s (CPU) | json KB | pretty KB | pretty / json |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for name in long-sentence long-paragraph table-10000-rows list-100000-items nested-quotes nested-lists findings-on-one-line; do
  file="$WORK/$name.md"
  bytes=$(stat -c %s "$file")
  read -r json_w json_s < <(best "$file" json)
  findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["diagnostics"]))' "$WORK/out.json")
  if grep -q '"HL00[08]"' "$WORK/out.json"; then
    echo "bench/shapes.sh: $name: the run hit the time budget or broke down (HL008/HL000)" >&2
    failed=1
  fi
  json_b=$(stat -c %s "$WORK/out.json")
  read -r pretty_w pretty_s < <(best "$file" pretty)
  pretty_b=$(stat -c %s "$WORK/out.pretty")
  row=$(awk -v n="$name" -v b="$bytes" -v f="$findings" -v js="$json_s" -v ps="$pretty_s" \
    -v jw="$json_w" -v pw="$pretty_w" -v jb="$json_b" -v pb="$pretty_b" -v min="$MIN_MBS" \
    -v max="$MAX_RATIO" 'BEGIN {
      js = (js > 0) ? js : 0.005; ps = (ps > 0) ? ps : 0.005;
      jm = b / 1e6 / js; pm = b / 1e6 / ps; r = pb / jb;
      printf "| %s | %.2f | %d | %.2f / %.2f | %.1f | %.2f / %.2f | %.1f | %.0f | %.0f | %.2f |\n", n, b / 1e6, f, jw, js, jm, pw, ps, pm, jb / 1024, pb / 1024, r
      exit (jm < min || pm < min || r > max) ? 1 : 0 }') || failed=1
  echo "$row"
done
if [[ "$failed" == 1 ]]; then
  echo "bench/shapes.sh: a shape is below $MIN_MBS MB/s, its pretty output over $MAX_RATIO times its JSON output, or it hit HL008/HL000" >&2
  exit 1
fi
