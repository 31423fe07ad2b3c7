#!/usr/bin/env bash
# Scrub a hypothesis file as a Slurm job array: one shard of the roots per task, then one merge.
# Submit from the repository root (Slurm starts each task in the submit directory); parts go to
# $HYP_RESULTS (default results/).
#   sbatch --array=1-8 examples/cluster/slurm-array.sh examples/paren/paren.hyp
#   (after all tasks finished)  npx hyp merge results/part-*.json --json > results/paren.json
# Or chain the merge: sbatch --dependency=afterok:<array job id> --wrap "npx hyp merge results/part-*.json --json > results/paren.json"
#SBATCH --job-name=hyp-scrub
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=01:00:00
set -euo pipefail
file="${1:?usage: sbatch --array=1-N slurm-array.sh FILE.hyp [extra hyp scrub options]}"
shift
count="${SLURM_ARRAY_TASK_COUNT:?run this as a job array (sbatch --array=1-N)}"
index="${SLURM_ARRAY_TASK_ID:?run this as a job array}"
# Task ids must run 1..N: the shard is K/N with K the task id.
results="${HYP_RESULTS:-results}"
mkdir -p "$results"
# The seed fixes every root's draws whatever the sharding, so the merged result equals one
# unsharded run; every task must use the same file, seed and samples.
npx hyp scrub "$file" --shard "$index/$count" --out "$results/part-$index.json" --threads "${SLURM_CPUS_PER_TASK:-1}" "$@"
