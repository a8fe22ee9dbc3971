#!/usr/bin/env bash
# Runs the published pre-commit hook (.pre-commit-hooks.yaml) as a user of it would, with
# `pre-commit try-repo`, on a sample git repository with a good and a bad article: the hook
# must fail (exit 1) on the bad one and pass (exit 0) on the good one.
#
# pre-commit comes from PyPI into a temporary virtual environment. `language: rust` makes
# pre-commit build the hook with `cargo install --path`, a release build of its own. Two
# things keep that affordable in CI, both through the environment, which pre-commit passes
# through to cargo: CARGO_TARGET_DIR keeps the build in target/pre-commit-hook, so that a
# later run reuses it; and CARGO_PROFILE_RELEASE_* turn the release profile's optimisation
# and link-time optimisation off for this build only (what is tested is the hook's wiring,
# not the binary's speed), which cuts a cold build from minutes of optimising to about the
# time of a debug build. The second try-repo reuses the environment pre-commit installed for
# the first (same PRE_COMMIT_HOME, same revision).
#
# Skipped, with a message, only when python3 with venv is missing and cannot be installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Whether a virtual environment with pip can be made: Debian ships python3 without venv's
# ensurepip unless python3-venv is installed, so trying is the only sure test.
make_venv() {
  command -v python3 >/dev/null 2>&1 && rm -rf "$work/venv" \
    && python3 -m venv "$work/venv" >/dev/null 2>&1
}
if ! make_venv; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "pre-commit-test: installing python3 and python3-venv with apt-get"
    (apt-get update && apt-get install -y python3 python3-venv) >/dev/null 2>&1 || true
  fi
  if ! make_venv; then
    echo "pre-commit-test: SKIPPED: python3 with venv is not installed and could not be installed"
    exit 0
  fi
fi
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
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
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
first=$((SECONDS - start))
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
  echo "pre-commit-test: ok: the hook failed on bad.md and passed good.md" \
    "($first s with the build, $((SECONDS - start - first)) s without)"
fi
exit "$status"
