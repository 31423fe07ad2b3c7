#!/usr/bin/env bash
# `npm run test:e2e`: end-to-end tests in a real VS Code (code-server) with the packaged .vsix,
# driven by playwright-core and Debian's chromium. Installs what it needs on first use — the apt
# packages (as root) and code-server from the npm registry into .tools/ (gitignored, not part of
# `npm ci`) — then packages the extension and runs test/e2e/e2e.ts. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

CODE_SERVER_VERSION=4.139.1
TOOLS="$PWD/.tools/code-server"
APT_PACKAGES=(chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config)

missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "run as root or install: ${missing[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bin="$TOOLS/node_modules/.bin/code-server"
if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
    echo "installing code-server $CODE_SERVER_VERSION into $TOOLS"
    mkdir -p "$TOOLS"
    echo '{ "private": true }' > "$TOOLS/package.json"
    # code-server's postinstall (its VS Code's dependencies) must run; npm ≥ 11 asks for that explicitly.
    (cd "$TOOLS" && npm install --no-audit --no-fund --no-save --dangerously-allow-all-scripts "code-server@$CODE_SERVER_VERSION")
fi

# The package of this machine's platform (code-server runs here).
target="$(node -p 'process.platform + "-" + process.arch')"
npm run package --silent -- "$target" > /dev/null
vsix="$PWD/$(node -p 'const p = require("./package.json"); `${p.name}-${p.version}-'"$target"'.vsix`')"
out=node_modules/.cache/hyp-e2e
node_modules/.bin/esbuild test/e2e/e2e.ts --bundle --platform=node --format=esm --packages=external \
    --outfile="$out/e2e.mjs" --log-level=warning
# Node resolves playwright-core from the repository's node_modules when run from here.
node "$out/e2e.mjs" "$bin" "$vsix"
