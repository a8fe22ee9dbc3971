#!/usr/bin/env bash
# Runs the published pre-commit hook (.pre-commit-hooks.yaml) as a user of it would, with
# `pre-commit try-repo`, on a sample git repository with a good and a bad article: the hook
# must fail (exit 1) on the bad one and pass (exit 0) on the good one.
#
# pre-commit comes from PyPI into a temporary virtual environment. `language: rust` makes
# pre-commit build the hook with `cargo install --path`, a release build; CARGO_TARGET_DIR,
# which pre-commit passes through to cargo, keeps that build in target/pre-commit-hook so
# that later runs (and the second try-repo below) reuse it, and the release profile's
# link-time optimisation is turned off for this build only, which halves its time without
# changing what is tested.
#
# Skipped, with a message, only when python3 with venv is missing and cannot be installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

python_ok() { command -v python3 >/dev/null 2>&1 && python3 -m venv --help >/dev/null 2>&1; }
if ! python_ok; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "pre-commit-test: installing python3 and python3-venv with apt-get"
    (apt-get update && apt-get install -y python3 python3-venv) >/dev/null 2>&1 || true
  fi
  if ! python_ok; then
    echo "pre-commit-test: SKIPPED: python3 with venv is not installed and could not be installed"
    exit 0
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
pre_commit="$work/venv/bin/pre-commit"

# The sample repository: two articles written for this test.
sample="$work/sample"
mkdir -p "$sample"
cat > "$sample/good.md" <<'EOF'
# Lentil soup

Soften a chopped onion and a carrot in a little oil. Add red lentils and stock, simmer for
about 30 minutes until the lentils fall apart, then season to taste.
EOF
cat > "$sample/bad.md" <<'EOF'
# Lower back pain

Lower back pain is common and usually settles within a few weeks. Keep moving: gentle walks
help more than lying in bed.

Our herbal balm is a miracle cure that ends back pain for good, guaranteed.
EOF
git -C "$sample" init --quiet
git -C "$sample" add good.md bad.md
git -C "$sample" -c user.name=test -c user.email=test@example.invalid commit --quiet -m "articles"

export PRE_COMMIT_HOME="$work/pre-commit-home"
export CARGO_TARGET_DIR="${HEALTHLINT_HOOK_TARGET_DIR:-$root/target/pre-commit-hook}"
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_DEBUG=0

# Runs the hook on one file; prints its output and returns its exit code.
try_hook() {
  (cd "$sample" && "$pre_commit" try-repo "$root" healthlint --files "$1" --verbose --color never)
}

status=0
set +e
start=$SECONDS
try_hook bad.md > "$work/bad.log" 2>&1
bad=$?
try_hook good.md > "$work/good.log" 2>&1
good=$?
set -e

if [ "$bad" -ne 1 ]; then
  echo "pre-commit-test: FAILED: the hook exited $bad on bad.md, expected 1" >&2
  cat "$work/bad.log" >&2
  status=1
elif ! grep -q "HL502" "$work/bad.log" || ! grep -q "exit code: 1" "$work/bad.log"; then
  # pre-commit exits 1 whatever the hook's code: the hook's own exit 1 and finding are
  # what tell findings from a usage error (exit 2).
  echo "pre-commit-test: FAILED: on bad.md, the hook did not exit 1 with finding HL502" >&2
  cat "$work/bad.log" >&2
  status=1
fi
if [ "$good" -ne 0 ]; then
  echo "pre-commit-test: FAILED: the hook exited $good on good.md, expected 0" >&2
  cat "$work/good.log" >&2
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "pre-commit-test: ok: the hook failed on bad.md and passed good.md ($((SECONDS - start)) s)"
fi
exit "$status"
