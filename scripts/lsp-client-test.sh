#!/usr/bin/env bash
# End-to-end test of `healthlint server` with a real editor client, run by .ci/run: headless
# Neovim (its built-in LSP client, 0.7 or newer) runs scripts/lsp_client_test.lua, which opens
# a bad article with emoji and checks where the client places each diagnostic, then edits the
# buffer, asks for a hover and applies a code action.
#
# Installs Neovim from the system's packages when it is missing (`apt-get install neovim`:
# Debian 12 ships 0.7.2). Environment: HEALTHLINT_BIN (default: the debug build, which `cargo
# test` has already made), CARGO_TARGET_DIR, KEEP=1 to keep the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$SECONDS
step() { echo "lsp-client-test: [$((SECONDS - START)) s] $*" >&2; }

if ! command -v nvim >/dev/null 2>&1; then
  step "installing Neovim"
  if [[ $(id -u) == 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends neovim >/dev/null
fi
# `nvim --version` begins "NVIM v0.7.2".
VERSION=$(nvim --version | head -n 1 | sed -n 's/^NVIM v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r MAJOR MINOR <<<"${VERSION:-0 0}"
if ((MAJOR == 0 && MINOR < 7)); then
  echo "lsp-client-test: Neovim 0.7 or newer is needed, found: $(nvim --version | head -n 1)" >&2
  exit 1
fi

TARGET=${CARGO_TARGET_DIR:-target}
if [[ -z "${HEALTHLINT_BIN:-}" ]]; then
  HEALTHLINT_BIN="$TARGET/debug/healthlint"
  if [[ ! -x "$HEALTHLINT_BIN" ]]; then
    step "building the healthlint binary (debug)"
    cargo build --quiet --locked --bin healthlint
  fi
fi
export HEALTHLINT_BIN
HEALTHLINT_BIN=$(readlink -f "$HEALTHLINT_BIN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/healthlint-lsp-test.XXXXXX")
export WORK
if [[ "${KEEP:-0}" == 1 ]]; then
  step "work folder kept: $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi
# Neovim's and healthlint's state (the LSP log, the rule pages) stay in the work folder, and
# no user configuration is read (-u NONE).
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" XDG_STATE_HOME="$WORK/state" \
  XDG_CACHE_HOME="$WORK/cache"

step "running Neovim $(nvim --version | head -n 1 | cut -d' ' -f2) with healthlint server"
timeout 120 nvim --headless -u NONE -i NONE --noplugin -n \
  -c "luafile scripts/lsp_client_test.lua" </dev/null
step "passed"
