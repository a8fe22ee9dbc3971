#!/usr/bin/env bash
# Editor latency of `healthlint server` (issue 19): builds the release binary, generates
# articles with examples/gen_corpus.rs, takes the Markdown one closest to 10 KB, and runs
# bench/lsp_latency.py: $CHANGES incremental didChange notifications with no debounce, timing
# each to its publishDiagnostics. Prints the JSON line of lsp_latency.py (median and p95 after
# the first change, in ms).
#
# Environment: WORK (default /tmp/healthlint-bench), SEED (42), CHANGES (200).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/healthlint-bench}
SEED=${SEED:-42}
CHANGES=${CHANGES:-200}
TARGET=${CARGO_TARGET_DIR:-target}
# Two builds, the binary on its own: built together with an example, the binary gets the
# features that dev-dependencies turn on in shared crates, and runs up to 7% slower than
# the binary `cargo install` gives users.
cargo build --release --quiet --locked --example gen_corpus
cargo build --release --quiet --locked --bin healthlint
CORPUS="$WORK/lsp-corpus-$SEED"
if [[ ! -f "$CORPUS/.done" ]]; then
  rm -rf "$CORPUS"
  "$TARGET/release/examples/gen_corpus" --seed "$SEED" --files 200 --out "$CORPUS" >&2
  touch "$CORPUS/.done"
fi
# The Markdown file whose size is nearest 10,240 bytes (ties: the first by path).
ARTICLE=$(find "$CORPUS" -name '*.md' -printf '%s %p\n' | sort -k2 \
  | awk '{ d = $1 - 10240; if (d < 0) d = -d; if (best == "" || d < best) { best = d; path = $2 } } END { print path }')
python3 bench/lsp_latency.py --bin "$TARGET/release/healthlint" --file "$ARTICLE" --changes "$CHANGES"
