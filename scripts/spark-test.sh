#!/usr/bin/env bash
# End-to-end test of the Spark job (examples/spark/healthlint_job.py) in local mode, run by
# .ci/run: generates pages with examples/gen_corpus.rs, mixes bad records into them, runs the
# job over them as JSON lines and as Parquet, and checks that its Parquet findings equal those
# of a direct `healthlint check --input jsonl --format jsonl` over the same records (same
# records, same diagnostics, same counts, the same bad records).
#
# Installs what it needs (see scripts/spark-env.sh): a Java runtime from the system's packages
# when none that Spark 3.5 supports is there, and pyspark from PyPI into a cached venv.
#
# Environment: SPARK_TEST_DOCS (default 1500 pages), SPARK_TEST_BAD (40 bad lines),
# HEALTHLINT_BIN (default: the debug build, which `cargo test` has already made), KEEP=1 to
# keep the work folder, CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

# The job is imported by spark_check.py: no __pycache__ in the work tree.
export PYTHONDONTWRITEBYTECODE=1
DOCS=${SPARK_TEST_DOCS:-1500}
BAD=${SPARK_TEST_BAD:-40}
NULL_TEXT=3
START=$SECONDS
step() { echo "spark-test: [$((SECONDS - START)) s] $*" >&2; }

step "setting up Java and pyspark"
# shellcheck source=scripts/spark-env.sh
source scripts/spark-env.sh

TARGET=${CARGO_TARGET_DIR:-target}
GEN="$TARGET/debug/examples/gen_corpus"
if [[ -z "${HEALTHLINT_BIN:-}" ]]; then
  step "building the healthlint binary (debug)"
  cargo build --quiet --locked --bin healthlint --example gen_corpus
  HEALTHLINT_BIN="$TARGET/debug/healthlint"
elif [[ ! -x "$GEN" ]]; then
  cargo build --quiet --locked --example gen_corpus
fi
BIN=$(readlink -f "$HEALTHLINT_BIN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/healthlint-spark-test.XXXXXX")
if [[ "${KEEP:-0}" == 1 ]]; then
  step "work folder kept: $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi

step "generating $DOCS pages and $BAD bad lines"
"$GEN" --seed 42 --files "$DOCS" --jsonl "$WORK/clean.jsonl" 2>/dev/null
python3 scripts/stream_records.py mix --seed 7 --bad "$BAD" --split 4 --no-invalid-utf8 \
  "$WORK/clean.jsonl" "$WORK/pages" 2>/dev/null

# direct_run IN OUT: the reference, exit 2 expected since every input has bad records.
direct_run() {
  local rc=0
  "$BIN" check --input jsonl --format jsonl --isolated < "$1" > "$2" 2>"$WORK/direct.err" || rc=$?
  if [[ "$rc" != 2 ]]; then
    echo "spark-test: the direct run exited $rc, 2 expected (bad records):" >&2
    cat "$WORK/direct.err" >&2
    exit 1
  fi
}

step "direct run over the JSON lines"
cat "$WORK"/pages/part-*.jsonl > "$WORK/all.jsonl"
direct_run "$WORK/all.jsonl" "$WORK/direct-jsonl.jsonl"

step "Spark job over the JSON lines (local[2], 4 files)"
"$SPARK_PY" examples/spark/healthlint_job.py --master 'local[2]' --binary "$BIN" \
  --input "$WORK/pages" --output "$WORK/out-jsonl" 2>"$WORK/spark-jsonl.err" \
  | tail -n 1 | tee "$WORK/spark-jsonl.summary" >&2 || {
  tail -n 40 "$WORK/spark-jsonl.err" >&2
  exit 1
}

# The same pages as Parquet, with a few rows whose text is null (a bad record in Parquet):
# spark_check.py writes them and runs the job over them in its own Spark session, then
# compares both runs (a JVM start costs seconds; this saves two).
for ((i = 0; i < NULL_TEXT; i++)); do
  printf '{"id": "null-text-%d", "path": "null-%d.md", "format": "md", "text": null}\n' "$i" "$i"
done | cat "$WORK/clean.jsonl" - > "$WORK/parquet-source.jsonl"
direct_run "$WORK/parquet-source.jsonl" "$WORK/direct-parquet.jsonl"

step "Spark job over the pages as Parquet, and both compared with the direct runs"
"$SPARK_PY" scripts/spark_check.py --parquet-job "$WORK/parquet-source.jsonl" "$WORK" "$BIN" \
  --compare jsonl "$WORK/direct-jsonl.jsonl" "$WORK/out-jsonl" "$BAD" \
  --compare parquet "$WORK/direct-parquet.jsonl" "$WORK/out-parquet" "$NULL_TEXT" \
  > "$WORK/spark-parquet.summary" 2>"$WORK/check.err" || {
  grep -v -e WARN -e '^\s*$' "$WORK/check.err" | tail -n 40 >&2
  exit 1
}
tail -n 1 "$WORK/spark-parquet.summary" >&2
grep '^spark_check' "$WORK/check.err" >&2
step "passed"
# The plain closing line CI reads: the two comparisons, JSON lines and Parquet.
echo "spark-test: 2 passed, 0 failed"
