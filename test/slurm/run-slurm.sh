#!/usr/bin/env bash
# `npm run test:slurm`: examples/cluster/slurm-array.sh on a real Slurm. Starts munge, slurmctld and
# slurmd on this machine from Debian's packages (installed on first use, as root), with a generated
# slurm.conf in a temporary directory; submits the job array sharding examples/paren/paren.hyp over 4
# tasks, chains `hyp merge` as a dependent job, and requires the merged result to equal one unsharded
# run's (test/slurm/same-results.mjs). Stops the daemons and removes the directory on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

SAMPLES="${HYP_SLURM_SAMPLES:-200}"
TASKS=4

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    echo "installing slurm-wlm and munge"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
echo "$(slurmctld -V), munge $(munged -V 2>&1 | awk '{print $1}')"

node scripts/build.mjs

work="$(mktemp -d /tmp/hyp-slurm.XXXXXX)"
# munged requires every directory above its socket to be searchable by all.
chmod 755 "$work"
export SLURM_CONF="$work/slurm.conf"
stop() {
    status=$?
    if [ -f "$work/slurmctld.pid" ]; then scontrol shutdown >/dev/null 2>&1 || true; fi
    for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
        # A daemon that ignored the shutdown is ended by its own pid, never by name.
        for _ in 1 2 3 4 5 6 7 8 9 10; do [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.5; done
        if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            pid="$(cat "$pidfile")"
            kill "$pid" || true
            # Until it has gone: munged writes its seed file as it exits, and a directory removed
            # under it failed the run once ("cannot remove .../munge: Directory not empty").
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        fi
    done
    if [ "$status" -ne 0 ]; then
        echo "--- slurm test failed; daemon logs and job output:" >&2
        tail -n 20 "$work"/log/*.log "$work"/munge/munged.log "$work"/out/* 2>/dev/null >&2 || true
    fi
    # The test's verdict is its status: a leftover file in a temporary directory must not turn it.
    rm -rf "$work" || { sleep 1; rm -rf "$work" || echo "slurm test: could not remove $work" >&2; }
    exit "$status"
}
trap stop EXIT

# munge: a fresh key, its socket, pid and log in the temporary directory.
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log" "$work/out" "$work/results"
chmod 755 "$work/munge"
mungekey --create --keyfile="$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
munged --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
    --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

# Two free ports, so the test never meets a Slurm already on this machine.
read -r ctld_port slurmd_port < <(node -e '
const net = require("node:net");
const free = () => new Promise(r => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
Promise.all([free(), free()]).then(([a, b]) => console.log(a, b));')
user="$(id -un)"
cat > "$SLURM_CONF" <<EOF
ClusterName=hyptest
SlurmctldHost=$(hostname -s)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
SlurmUser=$user
SlurmdUser=$user
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
# No cgroups (containers and CI machines rarely delegate them): processes tracked by parentage.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
$(slurmd -C | head -n 1) State=UNKNOWN
PartitionName=hyp Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld
slurmd
for i in $(seq 60); do
    state="$(sinfo -h -o %t 2>/dev/null || true)"
    [ "$state" = "idle" ] && break
    [ "$i" -eq 60 ] && { echo "the Slurm node did not become idle (state: ${state:-none})" >&2; exit 1; }
    sleep 0.5
done
echo "slurm up: node $(hostname -s), $(sinfo -h -o '%c CPUs')"

# The example as a user submits it, from the repository root; one CPU a task (this machine may have
# two), the example's --cpus-per-task and --mem overridden on the command line.
started=$SECONDS
array=$(HYP_RESULTS="$work/results" sbatch --parsable --array=1-$TASKS --cpus-per-task=1 --mem=1G \
    --output="$work/out/task-%a.out" examples/cluster/slurm-array.sh examples/paren/paren.hyp --samples "$SAMPLES")
echo "submitted job array $array ($TASKS tasks, $SAMPLES samples)"
# The merge the example's header suggests, chained on the array; --wait returns its exit status.
timeout 900 sbatch --wait --parsable --dependency=afterok:"$array" --cpus-per-task=1 --mem=1G --output="$work/out/merge.out" \
    --wrap "npx hyp merge $work/results/part-*.json --json > $work/merged.json" >/dev/null
echo "array and merge done in $((SECONDS - started)) s: $(ls "$work/results" | tr '\n' ' ')"
for k in $(seq $TASKS); do [ -s "$work/results/part-$k.json" ] || { echo "shard $k wrote no part" >&2; exit 1; }; done

npx hyp scrub examples/paren/paren.hyp --samples "$SAMPLES" --threads 1 --json > "$work/whole.json"
node test/slurm/same-results.mjs "$work/merged.json" "$work/whole.json"
