#!/usr/bin/env bash
# Runs the benchmark from a bundle made by bench/gpu/make-gpu-bundle.sh, in a copy of the repository
# (the cases read examples/ and bench/gpt2/ from the current directory):
#   tar -xJf hyp-gpu-bench.tar.xz -C /tmp
#   bash bench/gpu/run-gpu-bench.sh /tmp/hyp-gpu-bench [run-bench options]
# Without options it runs the GPU cases (`--gpu --json`: the GPT-2-shaped model at 10,000 roots,
# paren claim 1 and induction refined at 100,000), each with the execution provider auto (CUDA where
# its libraries are in the bundle, then WebGPU, then none: a GPU case stops rather than run on the
# CPU). The CPU's figures on the same machine: `… --case gpt2/l11_from_input@1k --roots 10000`.
# The fused strategy's chunks are sized from the GPU's memory: nvidia-smi's total is passed as
# --device-memory (the engine plans for half of it). The GPU cases run fused (--exec auto on a GPU)
# and their -staged twins the staged strategy, so both are in one table.
# The JSON (bench/results-gpu.json, or bench/results.json without --gpu) is copied to $OUT when set.
set -euo pipefail
bundle="$(cd "${1:?usage: run-gpu-bench.sh BUNDLE_DIR [run-bench options]}" && pwd)"
shift
[ $# -gt 0 ] || set -- --gpu --json
cd "$(dirname "$0")/../.."
vulkan="$bundle/lib/vulkan/usr/lib/x86_64-linux-gnu"
export LD_LIBRARY_PATH="$vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$bundle/bin:$PATH"
echo "node $(node --version) from the bundle; $(nproc) cores; GPU: $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo 'none visible to nvidia-smi')"
mib="$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits 2>/dev/null | head -1 | tr -d ' ' || true)"
device=()
if [[ "$mib" =~ ^[0-9]+$ ]]; then device=(--device-memory "${mib}M"); fi
node --expose-gc "$bundle/dist/run-bench.mjs" ${device[@]+"${device[@]}"} "$@"
for f in results-gpu.json results.json; do
    if [ -n "${OUT:-}" ] && [ -f "$bundle/bench/$f" ]; then cp "$bundle/bench/$f" "$OUT/"; fi
done
