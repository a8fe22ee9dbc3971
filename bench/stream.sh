#!/usr/bin/env bash
# Stream mode against folder mode on the same texts, and the checks of issue 17's "done when":
#
#   bench/stream.sh            # 100,000 documents: MB/s, docs/s, peak RSS of stream and folder
#                              # mode; -j1 and -j2 outputs compared byte for byte; stream
#                              # findings compared with folder mode's; 1,000 bad lines mixed in
#   bench/stream.sh --spark    # instead: the Spark job in local mode on $SPARK_DOCS documents,
#                              # beside stream mode on the same documents (installs Java and
#                              # pyspark like scripts/spark-test.sh)
#
# The documents come from examples/gen_corpus.rs with the same seed twice: once as files in
# a folder, once as JSON lines (`--jsonl`), so both modes check identical texts. Folder mode
# runs with --no-cross-document, as stream mode has no cross-document pass; the folder row
# with it is shown for reference. MB are the texts' bytes (not the JSON's) in both modes.
#
# Environment: WORK (default /tmp/healthlint-bench), SEED (42), DOCS (100000), BAD (1000),
# SPARK_DOCS (20000), REPEAT (1: a 100,000-document run takes 10 to 20 s).
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/healthlint-bench}
SEED=${SEED:-42}
DOCS=${DOCS:-100000}
BAD=${BAD:-1000}
SPARK_DOCS=${SPARK_DOCS:-20000}
REPEAT=${REPEAT:-1}
SPARK=0
[[ "${1:-}" == "--spark" ]] && SPARK=1

TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/healthlint
GEN=$TARGET/release/examples/gen_corpus
# Two builds, the binary on its own: built together with an example, the binary gets the
# features that dev-dependencies turn on in shared crates, and runs up to 7% slower than
# the binary `cargo install` gives users.
cargo build --release --quiet --locked --example gen_corpus
cargo build --release --quiet --locked --bin healthlint
mkdir -p "$WORK"

if [[ "$SPARK" == 0 ]]; then
CORPUS=$WORK/corpus-$DOCS
STREAM=$WORK/stream-$DOCS.jsonl
if [[ ! -f "$CORPUS/.done-$SEED-$DOCS" ]]; then
  rm -rf "$CORPUS"
  "$GEN" --seed "$SEED" --files "$DOCS" --out "$CORPUS" >&2
  touch "$CORPUS/.done-$SEED-$DOCS"
fi
[[ -f "$STREAM.done-$SEED" ]] || { "$GEN" --seed "$SEED" --files "$DOCS" --jsonl "$STREAM" >&2 && touch "$STREAM.done-$SEED"; }
# The texts' bytes: the files' sizes (du would add the folders').
BYTES=$(find "$CORPUS" -type f ! -name '.done-*' -printf '%s\n' | awk '{s += $1} END {print s}')
JSON_BYTES=$(stat -c %s "$STREAM")

# measure LABEL OUT -- COMMAND... (standard input from $IN when set): best wall of $REPEAT,
# with that run's CPU and peak RSS; the command's output goes to OUT.
measure() {
  local label=$1 out=$2
  shift 3
  local best="" rss="" cpu="" rc
  for ((i = 0; i < REPEAT; i++)); do
    rc=0
    /usr/bin/time -v -o "$WORK/time.txt" "$@" < "${IN:-/dev/null}" > "$out" 2>> "$WORK/stream-stderr.txt" || rc=$?
    echo "$label: exit $rc" >> "$WORK/stream-exits.txt"
    local wall user sys kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$WORK/time.txt")
    user=$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt")
    sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/time.txt")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($wall < $best)}"; then
      best=$wall rss=$kb cpu=$(awk "BEGIN{print $user + $sys}")
    fi
  done
  awk -v l="$label" -v b="$BYTES" -v f="$DOCS" -v w="$best" -v r="$rss" -v c="$cpu" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.1f | %.0f | %.1f | %.1f |\n", l, w, c, b/1e6/w, f/w, b/1e6/c, r/1024 }'
}

: > "$WORK/stream-stderr.txt"
: > "$WORK/stream-exits.txt"
echo
echo "healthlint $("$BIN" --version | cut -d' ' -f2), $DOCS documents, $(awk "BEGIN{printf \"%.1f\", $BYTES/1e6}") MB of text ($(awk "BEGIN{printf \"%.1f\", $JSON_BYTES/1e6}") MB as JSON lines), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | wall s | CPU s | MB/s | docs/s | MB per CPU s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
IN=$STREAM measure "stream, --jobs 2" "$WORK/stream-j2.jsonl" -- "$BIN" check --isolated --input jsonl --format jsonl --jobs 2
measure "folder, --jobs 2 --no-cross-document" "$WORK/folder-j2.jsonl" -- "$BIN" check --isolated --format jsonl --jobs 2 --no-cross-document "$CORPUS"
IN=$STREAM measure "stream, --jobs 1" "$WORK/stream-j1.jsonl" -- "$BIN" check --isolated --input jsonl --format jsonl --jobs 1
measure "folder, --jobs 1 --no-cross-document" "$WORK/folder-j1.jsonl" -- "$BIN" check --isolated --format jsonl --jobs 1 --no-cross-document "$CORPUS"
measure "folder, --jobs 2, with cross-document" /dev/null -- "$BIN" check --isolated --format jsonl --jobs 2 "$CORPUS"

echo
if cmp -s "$WORK/stream-j1.jsonl" "$WORK/stream-j2.jsonl"; then
  echo "stream -j1 and -j2 outputs: identical ($(wc -l < "$WORK/stream-j2.jsonl") lines, $(stat -c %s "$WORK/stream-j2.jsonl") bytes)"
else
  echo "stream -j1 and -j2 outputs: DIFFERENT"
fi
# The same findings as folder mode, document by document (paths there start with the folder).
python3 - "$WORK/folder-j2.jsonl" "$WORK/stream-j2.jsonl" "$CORPUS/" <<'PY'
import json, sys
folder_out, stream_out, prefix = sys.argv[1:]
def strip(obj):
    for d in obj.get("diagnostics", []):
        d.pop("path", None)
    return obj.get("diagnostics"), obj.get("summary")
folder = {}
with open(folder_out) as f:
    for raw in f:
        obj = json.loads(raw)
        folder[obj["path"].removeprefix(prefix)] = strip(obj)
same = diff = 0
with open(stream_out) as f:
    for raw in f:
        obj = json.loads(raw)
        if folder.get(obj["id"]) == strip(obj):
            same += 1
        else:
            diff += 1
print(f"stream vs folder findings: {same} documents the same, {diff} different, "
      f"{len(folder)} in folder mode")
PY

echo
echo "bad lines: $BAD mixed into the $DOCS-document stream"
python3 scripts/stream_records.py mix --seed 7 --bad "$BAD" "$STREAM" "$WORK/stream-mixed.jsonl"
rc=0
/usr/bin/time -v -o "$WORK/time-mixed.txt" "$BIN" check --isolated --input jsonl --format jsonl --jobs 2 \
  < "$WORK/stream-mixed.jsonl" > "$WORK/stream-mixed-out.jsonl" 2> "$WORK/stream-mixed.err" || rc=$?
echo "exit code $rc (2 expected), peak RSS $(awk -F': ' '/Maximum resident/ {printf "%.1f MB", $2/1024}' "$WORK/time-mixed.txt"), panics in stderr: $(grep -c panicked "$WORK/stream-mixed.err" || true), summary: $(tail -n 1 "$WORK/stream-mixed.err")"
python3 scripts/stream_records.py check-bad --manifest "$WORK/stream-mixed.jsonl.manifest.json" \
  --clean "$WORK/stream-j2.jsonl" "$WORK/stream-mixed-out.jsonl"
echo "exit codes of the timed runs: $(tr '\n' ';' < "$WORK/stream-exits.txt")"

fi

if [[ "$SPARK" == 1 ]]; then
  # shellcheck source=scripts/spark-env.sh
  source scripts/spark-env.sh
  SP=$WORK/spark-$SPARK_DOCS
  rm -rf "$SP" && mkdir -p "$SP/pages"
  "$GEN" --seed "$SEED" --files "$SPARK_DOCS" --jsonl "$SP/all.jsonl" 2> "$SP/gen.txt"
  SB=$(awk '{for (i = 1; i <= NF; i++) if ($i == "bytes") print $(i-1)}' "$SP/gen.txt" | head -n 1)
  # Eight files, as a crawl's shards would be: Spark reads each as (at least) one partition.
  split -n l/8 -d --additional-suffix=.jsonl "$SP/all.jsonl" "$SP/pages/part-"
  echo
  echo "Spark local mode, $SPARK_DOCS documents, $(awk "BEGIN{printf \"%.1f\", $SB/1e6}") MB of text:"
  echo
  echo "| run | wall s (process) | job s (read to Parquet written) | MB/s (job) | docs/s (job) | CPU s |"
  echo "|---|---|---|---|---|---|"
  for master in 'local[2]' 'local[1]'; do
    /usr/bin/time -v -o "$SP/time.txt" "$SPARK_PY" examples/spark/healthlint_job.py --master "$master" \
      --binary "$BIN" --input "$SP/pages" --output "$SP/out" 2> "$SP/spark.err" | tail -n 1 > "$SP/summary.json"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$SP/time.txt")
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u + s}' "$SP/time.txt")
    job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$SP/summary.json")
    awk -v l="$master, 8 files, 1 thread per process" -v w="$wall" -v j="$job" -v b="$SB" -v n="$SPARK_DOCS" -v c="$cpu" 'BEGIN {
      printf "| %s | %.1f | %.1f | %.1f | %.0f | %.1f |\n", l, w, j, b/1e6/j, n/j, c }'
    echo "  summary: $(cat "$SP/summary.json")"
  done
  IN=$SP/all.jsonl
  rc=0
  /usr/bin/time -v -o "$SP/time-direct.txt" "$BIN" check --isolated --input jsonl --format jsonl --jobs 2 < "$IN" > /dev/null 2>&1 || rc=$?
  echo "  the same $SPARK_DOCS documents through stream mode directly, --jobs 2: $(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$SP/time-direct.txt") s"
fi
