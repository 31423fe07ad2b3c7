#!/usr/bin/env bash
# Writes a self-contained bundle for running the benchmark on a GPU machine that may have no Node
# and no network (bench/README.md, "On a GPU"): Node 24, onnxruntime-node's linux-x64 files (with
# onnxruntime-common), the bundled benchmark runner, case and scrub-thread scripts, and Debian's
# Vulkan loader (libvulkan1, for WebGPU). The repository's working tree (examples/, bench/gpt2/gpt2.hyp)
# is not in it: run it from a copy of the repository with bench/gpu/run-gpu-bench.sh, which builds
# the GPT-2-shaped model there (deterministically, ~30 s) on first use.
#   bash bench/gpu/make-gpu-bundle.sh [OUT.tar.xz]      (default node_modules/.cache/hyp-gpu-bench.tar.xz)
#   bash bench/gpu/make-gpu-bundle.sh --dir DIR         (DIR/hyp-gpu-bench, not compressed: the test's way,
#                                                        test/bench/gpu-bundle.test.ts, since xz takes a minute)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${1:-}" = --dir ]; then
    work="$(mkdir -p "${2:?usage: make-gpu-bundle.sh --dir DIR}" && cd "$2" && pwd)"
    out=""
else
    out="${1:-node_modules/.cache/hyp-gpu-bench.tar.xz}"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
b="$work/hyp-gpu-bench"
# bench/: where the bundled runner writes its JSON (next to dist/, as in the repository).
mkdir -p "$b/bin" "$b/dist" "$b/node_modules" "$b/lib" "$b/bench"

node_bin="$(command -v node)"
[ "$(node -p 'process.platform + "-" + process.arch')" = linux-x64 ] || { echo "make the bundle on linux-x64 (the GPU machine's platform)" >&2; exit 1; }
cp "$node_bin" "$b/bin/node"

# The runner, one case per process, and the scrub threads of CPU runs; onnxruntime-node stays
# external (native), everything else is bundled.
npx esbuild bench/run-bench.ts bench/bench-case.ts engine/parallel/scrub-thread.ts --bundle --platform=node --format=esm \
    --target=node22 --external:onnxruntime-node --outdir="$b/dist" --entry-names=[name] --out-extension:.js=.mjs --log-level=warning
mv "$b/dist/scrub-thread.mjs" "$b/dist/hyp-scrub-thread.mjs"

# onnxruntime-node with its linux-x64 binaries only (CUDA's provider libraries too, when this
# machine's copy has them: node_modules/onnxruntime-node/script/install.js, README "CUDA").
ort="$b/node_modules/onnxruntime-node"
mkdir -p "$ort/bin/napi-v6/linux"
cp node_modules/onnxruntime-node/package.json "$ort/"
cp -r node_modules/onnxruntime-node/dist "$ort/"
cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$ort/bin/napi-v6/linux/"
cp -r node_modules/onnxruntime-common "$b/node_modules/"

# Debian's Vulkan loader: WebGPU (Dawn) needs libvulkan.so.1, and the GPU machine may lack it.
( cd "$work" && apt-get download libvulkan1 >/dev/null 2>&1 ) || { echo "apt-get download libvulkan1 failed: WebGPU will need the machine's own loader" >&2; }
for deb in "$work"/libvulkan1_*.deb; do [ -f "$deb" ] && dpkg -x "$deb" "$b/lib/vulkan" && rm -f "$deb"; done

if [ -z "$out" ]; then echo "wrote $b: Node $(node --version)"; exit 0; fi
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf - hyp-gpu-bench | xz -T0 -6 > "$out"
echo "wrote $out ($(du -h "$out" | cut -f1)): Node $(node --version), onnxruntime-node $(node -p 'require("./node_modules/onnxruntime-node/package.json").version')"
