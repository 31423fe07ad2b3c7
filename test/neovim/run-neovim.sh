#!/usr/bin/env bash
# `npm run test:neovim`: the stdio language server in a real Neovim (its built-in LSP client,
# headless), configured as docs/editor-setup.md says. Installs Debian's neovim on first use (as
# root), builds the server, and runs test/neovim/scrub.lua on a copy of the toy example. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nvim >/dev/null 2>&1; then
    echo "installing neovim"
    if [ "$(id -u)" -ne 0 ]; then echo "run as root or install neovim" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
fi
nvim --version | head -1

node scripts/build.mjs
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp examples/toy/toy.hyp examples/toy/toy_or.onnx examples/toy/toy_or.jsonl "$work/"
# -u NONE: no user configuration; the script is the whole configuration. The script prints its steps
# and exits non-zero on the first failure; the timeout stops a hung editor.
HYP_ROOT="$PWD" HYP_WORK="$work" timeout 180 nvim --headless -u NONE -i NONE --noplugin -c "luafile test/neovim/scrub.lua"
