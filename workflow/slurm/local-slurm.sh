#!/usr/bin/env bash
# Run a throwaway single-node Slurm cluster on this machine (for CI and local tests).
#
# Usage: local-slurm.sh start|stop|status STATE_DIR
#
#   start   install the Debian packages if they are missing (needs root and apt-get),
#           write slurm.conf, gres.conf and cgroup.conf into STATE_DIR, start munged
#           (unless one already answers), slurmctld and slurmd, and wait until the node
#           accepts jobs. Safe to run again on the same STATE_DIR: running daemons are
#           kept, stopped ones are restarted, a drained node is resumed.
#   stop    stop exactly the daemons this script started for STATE_DIR (pid files there).
#   status  show which of those daemons run and the node state.
#
# Client commands need the configuration: `source STATE_DIR/env.sh` (sets SLURM_CONF).
# Both daemons listen on 127.0.0.1 only. The node offers one fake GPU (gpu:fake:1,
# backed by /dev/null) so that jobs asking for `--gpus=1` can be scheduled.
#
# Environment (optional): LOCAL_SLURM_PARTITION (default "batch",
# the partition of slurm/config.yaml),
# LOCAL_SLURM_CTLD_PORT (6817), LOCAL_SLURM_SLURMD_PORT (6818),
# LOCAL_SLURM_TIMEOUT (seconds to wait for an idle node, default 60),
# LOCAL_SLURM_NO_INSTALL=1 (never call apt-get).
#
# Exit codes: 0 ok; 1 a daemon failed or the node never became usable (see the logs
# in STATE_DIR/log); 2 usage; 3 status: not running;
# 77 Slurm cannot be provided here (packages missing and cannot be installed).

set -euo pipefail

readonly EXIT_FAIL=1 EXIT_USAGE=2 EXIT_NOT_RUNNING=3 EXIT_UNAVAILABLE=77
readonly PACKAGES=(munge slurmctld slurmd slurm-client)
readonly MUNGE_RUN_DIR=/run/munge
export PATH="$PATH:/usr/sbin:/sbin"

PARTITION="${LOCAL_SLURM_PARTITION:-batch}"
CTLD_PORT="${LOCAL_SLURM_CTLD_PORT:-6817}"
SLURMD_PORT="${LOCAL_SLURM_SLURMD_PORT:-6818}"
TIMEOUT="${LOCAL_SLURM_TIMEOUT:-60}"

log() { printf 'local-slurm: %s\n' "$*" >&2; }
die() {
    local code=$1
    shift
    log "error: $*"
    exit "$code"
}

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit "$EXIT_USAGE"
}

# --- pid-file helpers -----------------------------------------------------------------

# pid_alive FILE NAME: true if FILE holds the pid of a live process called NAME.
# Checking the name guards against a recycled pid.
pid_alive() {
    local file=$1 name=$2 pid
    [[ -s $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -r /proc/$pid/comm && $(</proc/"$pid"/comm) == "$name" ]]
}

# stop_pid FILE NAME: terminate the process named in FILE (if it is NAME), wait up to
# 10 s, then kill it; remove FILE.
stop_pid() {
    local file=$1 name=$2 pid i
    if ! pid_alive "$file" "$name"; then
        rm -f "$file"
        return 0
    fi
    pid=$(<"$file")
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        pid_alive "$file" "$name" || break
        sleep 0.1
    done
    if pid_alive "$file" "$name"; then
        log "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

# --- installation ---------------------------------------------------------------------

have_binaries() {
    local b
    for b in munged munge unmunge slurmctld slurmd sbatch squeue scontrol sinfo; do
        command -v "$b" >/dev/null || return 1
    done
}

ensure_packages() {
    have_binaries && return 0
    [[ ${LOCAL_SLURM_NO_INSTALL:-0} == 1 ]] &&
        die "$EXIT_UNAVAILABLE" "Slurm/munge binaries missing and LOCAL_SLURM_NO_INSTALL=1"
    [[ $EUID -eq 0 ]] ||
        die "$EXIT_UNAVAILABLE" "Slurm/munge binaries missing and not root: cannot install ${PACKAGES[*]}"
    command -v apt-get >/dev/null ||
        die "$EXIT_UNAVAILABLE" "Slurm/munge binaries missing and no apt-get to install ${PACKAGES[*]}"
    log "installing ${PACKAGES[*]} with apt-get"
    local out="$STATE_DIR/log/apt-get.log"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${PACKAGES[@]}" >"$out" 2>&1; then
        log "apt-get install failed; refreshing package lists once and retrying"
        { apt-get update && apt-get install -y --no-install-recommends "${PACKAGES[@]}"; } \
            >>"$out" 2>&1 ||
            die "$EXIT_UNAVAILABLE" "apt-get could not install ${PACKAGES[*]} (see $out)"
    fi
    have_binaries || die "$EXIT_UNAVAILABLE" "packages installed but binaries still missing"
}

# --- configuration --------------------------------------------------------------------

write_conf() {
    local host=$1 hw
    # `slurmd -C` prints this node's real hardware: take CPUs, topology and RealMemory
    # from it, as a node declaring more memory than it has gets drained.
    hw=$(slurmd -C | head -n 1 |
        grep -oE '(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=[0-9]+' |
        tr '\n' ' ')
    [[ $hw == *RealMemory=* ]] || die "$EXIT_FAIL" "could not parse 'slurmd -C' output"

    cat >"$STATE_DIR/slurm.conf.new" <<EOF
# Written by workflow/slurm/local-slurm.sh: a single-node test cluster on loopback.
ClusterName=aicc-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
# slurmd fetches this configuration from slurmctld and publishes it under
# /run/slurm/conf, where commands inside jobs find it: the Snakemake job step
# calls srun with every SLURM_* variable removed, SLURM_CONF included.
SlurmctldParameters=enable_configless
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# Jobs that give no --mem must not take the whole node.
DefMemPerCPU=1024
# The scheduler's own record of every finished job (id, name, state, exit code),
# which outlives MinJobAge; tests read it.
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE_DIR/log/jobcomp.log
# Keep finished jobs visible to squeue/scontrol for an hour: the Snakemake executor
# plugin tracks them with squeue (it needs >= 3x its initial wait), and tests read
# each job's GPU allocation with "scontrol -d show job".
MinJobAge=3600
ReturnToService=2
SlurmdTimeout=300
MailProg=/bin/true
StateSaveLocation=$STATE_DIR/spool/slurmctld
SlurmdSpoolDir=$STATE_DIR/spool/slurmd
SlurmctldPidFile=$STATE_DIR/run/slurmctld.pid
SlurmdPidFile=$STATE_DIR/run/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 ${hw}Gres=gpu:fake:1 State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

    # A fake GPU: slurmd needs an existing device file, or it reports no GPU and the
    # node is marked invalid. Jobs that get it see CUDA_VISIBLE_DEVICES set.
    cat >"$STATE_DIR/gres.conf.new" <<EOF
NodeName=$host Name=gpu Type=fake File=/dev/null
EOF

    # No systemd here and nothing to constrain: proctrack/linuxproc and task/none use no
    # cgroups; this file only keeps slurmd from mounting or creating any.
    cat >"$STATE_DIR/cgroup.conf.new" <<EOF
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
EOF

    cat >"$STATE_DIR/env.sh.new" <<EOF
export SLURM_CONF=$STATE_DIR/slurm.conf
EOF
    # Replace the files only when they change, atomically: running daemons and
    # clients may be reading them.
    local f
    for f in slurm.conf gres.conf cgroup.conf env.sh; do
        if cmp -s "$STATE_DIR/$f.new" "$STATE_DIR/$f"; then
            rm -f "$STATE_DIR/$f.new"
        else
            mv -f "$STATE_DIR/$f.new" "$STATE_DIR/$f"
            if pid_alive "$STATE_DIR/run/slurmctld.pid" slurmctld; then
                log "warning: $f changed while Slurm runs; 'stop' then 'start' to apply it"
            fi
        fi
    done
}

# --- daemons --------------------------------------------------------------------------

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
    if munge_works; then
        if ! pid_alive "$STATE_DIR/run/munged.pid" munged; then
            log "using the munged already running on this machine (not ours to stop)"
        fi
        return 0
    fi
    [[ $EUID -eq 0 ]] || die "$EXIT_UNAVAILABLE" "no munged running and not root to start one"
    if [[ ! -s /etc/munge/munge.key ]]; then
        log "creating /etc/munge/munge.key"
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    local dir force=()
    for dir in "$MUNGE_RUN_DIR" /var/log/munge /var/lib/munge; do
        [[ -d $dir ]] || install -d -o munge -g munge -m 0755 "$dir"
    done
    # No munged answers, so a socket left behind is stale: let munged replace it.
    [[ -S $MUNGE_RUN_DIR/munge.socket.2 ]] && force=(--force)
    log "starting munged"
    # munged forks and writes its pid file where the munge user may write; keep a copy
    # in STATE_DIR so that `stop` knows it is ours.
    rm -f "$MUNGE_RUN_DIR/munged.pid"
    runuser -u munge -- munged "${force[@]}" --pid-file="$MUNGE_RUN_DIR/munged.pid" ||
        die "$EXIT_FAIL" "munged failed to start (see /var/log/munge/munged.log)"
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s $MUNGE_RUN_DIR/munged.pid ]] && munge_works && break
        sleep 0.1
    done
    munge_works || die "$EXIT_FAIL" "munged started but does not answer"
    cp "$MUNGE_RUN_DIR/munged.pid" "$STATE_DIR/run/munged.pid"
}

# start_daemon NAME COMMAND...: run COMMAND (which daemonises) unless NAME runs.
start_daemon() {
    local name=$1 i
    shift
    if pid_alive "$STATE_DIR/run/$name.pid" "$name"; then
        log "$name already running (pid $(<"$STATE_DIR/run/$name.pid"))"
        return 0
    fi
    log "starting $name"
    rm -f "$STATE_DIR/run/$name.pid"
    "$@" || die "$EXIT_FAIL" "$name failed to start (see $STATE_DIR/log/$name.log)"
    # It daemonises before writing its pid file.
    for ((i = 0; i < 100; i++)); do
        pid_alive "$STATE_DIR/run/$name.pid" "$name" && return 0
        sleep 0.1
    done
    tail -n 5 "$STATE_DIR/log/$name.log" >&2 || true
    die "$EXIT_FAIL" "$name did not come up (see $STATE_DIR/log/$name.log)"
}

# port_taken PORT: true if something accepts connections on 127.0.0.1:PORT.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports() {
    local name port
    for name in slurmctld:$CTLD_PORT slurmd:$SLURMD_PORT; do
        port=${name#*:}
        name=${name%%:*}
        pid_alive "$STATE_DIR/run/$name.pid" "$name" && continue
        if port_taken "$port"; then
            die "$EXIT_FAIL" "port $port (for $name) is in use by another process: stop \
that Slurm, or choose other ports with LOCAL_SLURM_CTLD_PORT/LOCAL_SLURM_SLURMD_PORT"
        fi
    done
}

wait_for_controller() {
    local i
    for ((i = 0; i < 100; i++)); do
        SLURM_CONF="$STATE_DIR/slurm.conf" scontrol ping >/dev/null 2>&1 && return 0
        pid_alive "$STATE_DIR/run/slurmctld.pid" slurmctld ||
            die "$EXIT_FAIL" "slurmctld exited (see $STATE_DIR/log/slurmctld.log)"
        sleep 0.1
    done
    die "$EXIT_FAIL" "slurmctld does not answer (see $STATE_DIR/log/slurmctld.log)"
}

node_state() {
    SLURM_CONF="$STATE_DIR/slurm.conf" sinfo -h -N -n "$1" -o '%T' 2>/dev/null | head -n 1 ||
        true
}

wait_for_node() {
    local host=$1 state="" name deadline=$((SECONDS + TIMEOUT))
    while ((SECONDS < deadline)); do
        for name in slurmctld slurmd; do
            pid_alive "$STATE_DIR/run/$name.pid" "$name" ||
                die "$EXIT_FAIL" "$name exited (see $STATE_DIR/log/$name.log)"
        done
        state=$(node_state "$host")
        case $state in
        idle | mixed | allocated | completing)
            log "node $host is $state; partition '$PARTITION' ready"
            return 0
            ;;
        drain* | drng | down* | fail*)
            # Left over from an earlier run on this STATE_DIR, or the node restarted.
            log "node $host is $state; resuming it"
            SLURM_CONF="$STATE_DIR/slurm.conf" scontrol update nodename="$host" \
                state=resume >/dev/null 2>&1 || true
            ;;
        esac
        sleep 0.5
    done
    die "$EXIT_FAIL" "node $host not usable after ${TIMEOUT}s (state '${state:-unknown}'; \
see $STATE_DIR/log/slurmd.log and slurmctld.log)"
}

# --- commands -------------------------------------------------------------------------

cmd_start() {
    [[ $EUID -eq 0 ]] ||
        die "$EXIT_UNAVAILABLE" "must run as root (to install packages and to run slurmd)"
    mkdir -p "$STATE_DIR"/{log,run,spool/slurmctld,spool/slurmd}
    ensure_packages
    local host
    host=$(hostname -s)
    write_conf "$host"
    check_ports
    start_munge
    start_daemon slurmctld slurmctld -f "$STATE_DIR/slurm.conf"
    wait_for_controller
    start_daemon slurmd env -u SLURM_CONF slurmd --conf-server "127.0.0.1:$CTLD_PORT" -N "$host"
    wait_for_node "$host"
    log "to use it: source $STATE_DIR/env.sh"
}

cmd_stop() {
    # Reverse order of start; munged only if this STATE_DIR recorded starting it.
    stop_pid "$STATE_DIR/run/slurmd.pid" slurmd
    # slurmd's published configuration, if it is this cluster's.
    if [[ -L /run/slurm/conf && $(readlink -f /run/slurm/conf) == "$STATE_DIR"/* ]]; then
        rm -f /run/slurm/conf
    fi
    stop_pid "$STATE_DIR/run/slurmctld.pid" slurmctld
    stop_pid "$STATE_DIR/run/munged.pid" munged
}

cmd_status() {
    local name rc=0
    for name in munged slurmctld slurmd; do
        if pid_alive "$STATE_DIR/run/$name.pid" "$name"; then
            printf '%-10s running (pid %s)\n' "$name" "$(<"$STATE_DIR/run/$name.pid")"
        elif [[ $name == munged ]] && munge_works; then
            printf '%-10s running (not started by this script)\n' "$name"
        else
            printf '%-10s stopped\n' "$name"
            rc=$EXIT_NOT_RUNNING
        fi
    done
    if [[ $rc -eq 0 ]]; then
        SLURM_CONF="$STATE_DIR/slurm.conf" sinfo -N -o '%N %P %T %c %m %G' || rc=$EXIT_FAIL
    fi
    return "$rc"
}

[[ $# -eq 2 ]] || usage
STATE_DIR=$(realpath -m -- "$2")
readonly STATE_DIR
case $1 in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*) usage ;;
esac
