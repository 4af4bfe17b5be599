#!/bin/bash
# A sharded scxlab sweep as a Slurm job array, with the merge as a dependent job (docs/sharding.md).
#
#   sbatch docs/slurm-array.sh            # submits the 16 shards and the merge after them
#
# Run from the scxlab checkout (built: npm ci && npm run build) on a filesystem the compute nodes
# share. Every array task gets the same flags; only --shard and --out differ. Array task ids
# run 1..16 here, matching --shard's 1-based index.
#SBATCH --job-name=scxlab-sweep
#SBATCH --array=1-16
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=out/slurm/%x-%A_%a.log

set -euo pipefail
SHARDS=16                     # keep equal to the --array range
OUT=${OUT:-out/sweep}
SWEEP=(-s simple,bpfland,lavd,rusty -w schbench,server,mixed --seeds 32 --duration 10)

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
  echo "submit with sbatch: sbatch $0" >&2
  exit 2
fi

# The first task to start submits the merge, to run once every task of this array is done
# (afterok: only if all succeeded; a failed shard can be resubmitted with sbatch --array=<i>,
# then merge by hand: node dist/cli/main.js merge "$OUT"/shard-*/results.json --out "$OUT/all").
if [[ "$SLURM_ARRAY_TASK_ID" == 1 ]]; then
  mkdir -p out/slurm
  sbatch --job-name=scxlab-merge --dependency="afterok:${SLURM_ARRAY_JOB_ID}" \
    --cpus-per-task=1 --mem=2G --time=00:30:00 --output=out/slurm/%x-%j.log \
    --wrap="node dist/cli/main.js merge $OUT/shard-*/results.json --out $OUT/all"
fi

node dist/cli/main.js compare "${SWEEP[@]}" \
  --workers "${SLURM_CPUS_PER_TASK:-2}" --job-timeout 600 \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" --out "$OUT/shard-${SLURM_ARRAY_TASK_ID}" --quiet
