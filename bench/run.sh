#!/usr/bin/env bash
# Whole-process benchmark of healthlint: builds the release binary, generates the corpora with
# `examples/gen_corpus.rs` (deterministic from the seed), dumps the built-in rules' patterns for
# ripgrep, and times every scenario with /usr/bin/time -v. Prints a Markdown table (best of
# $REPEAT runs per row: the machine may be shared) and keeps the raw `time -v` output in $WORK.
#
#   bench/run.sh                 # 2,000 files, 5 MB file, stdin, jobs 1 vs all, ripgrep
#   bench/run.sh --large         # also 100,000 files (~800 MB under $WORK, deleted afterwards)
#
# Environment: WORK (default /tmp/healthlint-bench), SEED (42), FILES (2000), LARGE_FILES
# (100000), REPEAT (3), STDIN_RUNS (30). Re-run after adding rules: patterns.txt is regenerated
# from the binary each time, so the ripgrep comparison always uses the current rule set.
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/healthlint-bench}
SEED=${SEED:-42}
FILES=${FILES:-2000}
LARGE_FILES=${LARGE_FILES:-100000}
REPEAT=${REPEAT:-3}
STDIN_RUNS=${STDIN_RUNS:-30}
LARGE=0
[[ "${1:-}" == "--large" ]] && LARGE=1

BIN=target/release/healthlint
GEN=target/release/examples/gen_corpus
CORES=$(nproc)

# The ripgrep rows are part of the result: without rg they would time a "command not found".
if ! command -v rg >/dev/null 2>&1; then
  echo "bench/run.sh: ripgrep (rg) is not installed; install it first (Debian: apt-get install ripgrep, or cargo install ripgrep)" >&2
  exit 2
fi

# Two builds, the binary on its own: built together with an example, the binary gets the
# features that dev-dependencies turn on in shared crates, and runs up to 7% slower than
# the binary `cargo install` gives users.
cargo build --release --quiet --example gen_corpus
cargo build --release --quiet --bin healthlint
mkdir -p "$WORK"

corpus() { # corpus DIR N
  if [[ ! -f "$1/.done-$SEED-$2" ]]; then
    rm -rf "$1"
    "$GEN" --seed "$SEED" --files "$2" --out "$1" >&2
    touch "$1/.done-$SEED-$2"
  fi
}
corpus "$WORK/corpus-$FILES" "$FILES"
[[ -f "$WORK/big.md" ]] || "$GEN" --seed "$SEED" --one-file "$WORK/big.md" --bytes 5000000 >&2
"$BIN" debug-patterns > "$WORK/patterns.txt"
# A small article for the editor-latency row: the first Markdown file of the corpus.
SMALL=$(find "$WORK/corpus-$FILES" -name '*.md' | sort | awk 'NR == 1')

bytes_of() { du -sb --exclude='.done-*' "$1" | cut -f1; }
files_of() { find "$1" -type f ! -name '.done-*' | wc -l; }

# measure LABEL BYTES FILES -- COMMAND...: best wall time of $REPEAT runs, with that run's RSS.
measure() {
  local label=$1 bytes=$2 files=$3
  shift 4
  local best="" rss="" cpu=""
  for ((i = 0; i < REPEAT; i++)); do
    /usr/bin/time -v -o "$WORK/time.txt" "$@" > /dev/null 2>> "$WORK/stderr.txt" || true
    cp "$WORK/time.txt" "$WORK/time-$(echo "$label" | tr -c 'a-zA-Z0-9\n' '_').txt"
    local wall user sys kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$WORK/time.txt")
    user=$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt")
    sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/time.txt")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($wall < $best)}"; then
      best=$wall rss=$kb cpu=$(awk "BEGIN{print $user + $sys}")
    fi
  done
  awk -v l="$label" -v b="$bytes" -v f="$files" -v w="$best" -v r="$rss" -v c="$cpu" 'BEGIN {
    w2 = (w > 0) ? w : 0.005;
    printf "| %s | %.1f | %d | %.3f | %.2f | %.1f | %.0f | %.1f |\n", l, b/1e6, f, w, c, b/1e6/w2, f/w2, r/1024 }'
  echo "$best" > "$WORK/last-wall.txt"
}

B=$(bytes_of "$WORK/corpus-$FILES")
N=$(files_of "$WORK/corpus-$FILES")
BIGB=$(stat -c %s "$WORK/big.md")

echo
echo "healthlint $("$BIN" --version | cut -d' ' -f2), $(wc -l < "$WORK/patterns.txt") patterns, $CORES cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| scenario | MB | files | wall s (best of $REPEAT) | CPU s | MB/s | files/s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
measure "healthlint, all rules, $N files, --jobs $CORES" "$B" "$N" -- "$BIN" check --format json --jobs "$CORES" "$WORK/corpus-$FILES"
ALL=$(cat "$WORK/last-wall.txt")
measure "healthlint, all rules, $N files, --jobs 1" "$B" "$N" -- "$BIN" check --format json --jobs 1 "$WORK/corpus-$FILES"
ONE=$(cat "$WORK/last-wall.txt")
if [[ "$CORES" -gt 2 ]]; then
  measure "healthlint, all rules, $N files, --jobs 2" "$B" "$N" -- "$BIN" check --format json --jobs 2 "$WORK/corpus-$FILES"
  TWO=$(cat "$WORK/last-wall.txt")
else
  TWO=$ALL
fi
measure "healthlint, $N files, --jobs $CORES --no-cross-document" "$B" "$N" -- "$BIN" check --format json --jobs "$CORES" --no-cross-document "$WORK/corpus-$FILES"
measure "healthlint, $N files, --jobs $CORES, pretty output" "$B" "$N" -- "$BIN" check --format pretty --jobs "$CORES" "$WORK/corpus-$FILES"
measure "ripgrep \`rg -c -f patterns.txt\`, $N files" "$B" "$N" -- rg -c -f "$WORK/patterns.txt" "$WORK/corpus-$FILES"
RG=$(cat "$WORK/last-wall.txt")
measure "ripgrep, $N files, -j1" "$B" "$N" -- rg -j1 -c -f "$WORK/patterns.txt" "$WORK/corpus-$FILES"
measure "healthlint, one 5 MB file" "$BIGB" 1 -- "$BIN" check --format json "$WORK/big.md"
measure "ripgrep, one 5 MB file" "$BIGB" 1 -- rg -c -f "$WORK/patterns.txt" "$WORK/big.md"

if [[ "$LARGE" == 1 ]]; then
  corpus "$WORK/corpus-$LARGE_FILES" "$LARGE_FILES"
  LB=$(bytes_of "$WORK/corpus-$LARGE_FILES")
  LN=$(files_of "$WORK/corpus-$LARGE_FILES")
  SAVE=$REPEAT
  REPEAT=1
  measure "healthlint, all rules, $LN files, --jobs $CORES" "$LB" "$LN" -- "$BIN" check --format json --jobs "$CORES" "$WORK/corpus-$LARGE_FILES"
  measure "healthlint, $LN files, --jobs $CORES --no-cross-document" "$LB" "$LN" -- "$BIN" check --format json --jobs "$CORES" --no-cross-document "$WORK/corpus-$LARGE_FILES"
  measure "ripgrep, $LN files" "$LB" "$LN" -- rg -c -f "$WORK/patterns.txt" "$WORK/corpus-$LARGE_FILES"
  REPEAT=$SAVE
  rm -rf "$WORK/corpus-$LARGE_FILES"
fi

# Editor latency: process start to JSON output for one small article on standard input.
SB=$(stat -c %s "$SMALL")
times=()
for ((i = 0; i < STDIN_RUNS; i++)); do
  t0=$EPOCHREALTIME
  "$BIN" check --format json --stdin-filename article.md - < "$SMALL" > /dev/null || true
  t1=$EPOCHREALTIME
  times+=("$(awk "BEGIN{print ($t1 - $t0) * 1000}")")
done
MED=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
MIN=$(printf '%s\n' "${times[@]}" | sort -n | awk 'NR == 1')
/usr/bin/time -v -o "$WORK/time-stdin.txt" "$BIN" check --format json --stdin-filename article.md - < "$SMALL" > /dev/null || true
SRSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-stdin.txt")
echo "| healthlint, one ${SB}-byte article on stdin (median / best of $STDIN_RUNS) | $(awk "BEGIN{printf \"%.3f\", $SB/1e6}") | 1 | ${MED} ms / ${MIN} ms | | | | $(awk "BEGIN{printf \"%.1f\", $SRSS/1024}") |"

echo
awk -v one="$ONE" -v two="$TWO" -v rg="$RG" -v all="$ALL" -v c="$CORES" 'BEGIN {
  printf "speed-up --jobs 1 -> --jobs %d: %.2fx; healthlint / ripgrep wall time: %.1fx\n", (c > 2 ? 2 : c), one/two, all/rg }'
echo "raw /usr/bin/time -v output: $WORK/time-*.txt"
