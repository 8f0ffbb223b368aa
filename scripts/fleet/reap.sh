#!/usr/bin/env bash
# Cleans up what crashed e2e fleets left behind: nspawn hosts, overlay mounts, cgroups, port leases, temp dirs.
#
# A fleet belongs to the test process that booted it; only fleets whose process is gone
# are reaped (pid + start time, so a reused pid does not look alive), unless --all.
# Processes are found by the fleet's own marks (its cgroups, nspawn's -D path) and
# killed by pid, never by name. CI runs this before and after the tests.
# Usage: scripts/fleet/reap.sh [--all]
set -euo pipefail

TMP_ROOT=${DEPTOOL_FLEET_TMP:-/tmp/deptool-fleet}
PORT_DIR=/run/deptool-fleet/ports
CGROUP_NAME=deptool-fleet

all=false
case "${1:-}" in
  --all) all=true ;;
  "") ;;
  *) echo "usage: $0 [--all]" >&2; exit 2 ;;
esac

log() { printf 'fleet-reap: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  # Without root there can be no fleet to reap (booting one needs root).
  [ -d "$TMP_ROOT" ] || [ -d "$PORT_DIR" ] || exit 0
  log "error: must run as root"
  exit 1
fi

# Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat).
start_time() {
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # Cut up to the command name, which may contain spaces; field 3 is then index 0.
  read -r -a fields <<<"${stat##*) }"
  printf '%s\n' "${fields[19]}"
}

# True when "PID STARTTIME" names a process that still runs.
stamp_alive() {
  local pid start
  read -r pid start <<<"$1" || true
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(start_time "$pid" || true)" = "$start" ]
}

pid_alive() { [ -d "/proc/$1" ]; }

# Mount points of the cgroup hierarchies systemd uses (name=systemd v1, and cgroup2).
cgroup_mounts() {
  awk '{ split($0, halves, " - "); split(halves[1], a, " "); split(halves[2], b, " ");
         if (b[1] == "cgroup2" || (b[1] == "cgroup" && ("," b[3] ",") ~ /,name=systemd,/)) print a[5] }' /proc/self/mountinfo
}

# Pids in a cgroup tree.
cgroup_pids() {
  find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null || true
}

# Pids of systemd-nspawn processes whose arguments point into directory $1.
nspawn_pids_under() {
  local proc pid argv
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    argv=$(tr '\0' '\n' <"$proc/cmdline" 2>/dev/null) || continue
    grep -q 'systemd-nspawn' <<<"$argv" || continue
    grep -qF "$1/" <<<"$argv" && echo "$pid"
  done
  return 0
}

# SIGKILL the given pids and wait (bounded) until they are gone. Killing a container's
# init takes its whole pid namespace with it; SIGKILL to nspawn alone would orphan it,
# which is why the container processes (in the same cgroup) are killed together with it.
kill_and_wait() {
  local pid left deadline
  [ "$#" -gt 0 ] || return 0
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + 10))
  while :; do
    left=()
    for pid in "$@"; do
      if [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then left+=("$pid"); fi
    done
    [ "${#left[@]}" -eq 0 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "warning: still running after SIGKILL: ${left[*]}"
      return 0
    fi
    sleep 0.05
  done
}

# Removes a cgroup tree bottom-up (a cgroup dir can only be rmdir'ed when empty).
remove_cgroup() {
  [ -d "$1" ] || return 0
  find "$1" -depth -type d -exec rmdir {} + 2>/dev/null || true
}

# Kills and removes a host's cgroups in every hierarchy.
reap_machine() {
  local machine=$1 mount pids
  # The same processes are listed in every hierarchy.
  mapfile -t pids < <(for mount in $(cgroup_mounts); do cgroup_pids "$mount/$CGROUP_NAME/$machine"; done | sort -un)
  if [ "${#pids[@]}" -gt 0 ]; then
    log "killing host $machine (pids ${pids[*]})"
    kill_and_wait "${pids[@]}"
  fi
  for mount in $(cgroup_mounts); do remove_cgroup "$mount/$CGROUP_NAME/$machine"; done
}

reaped=0

# 1. Fleet temp dirs of dead test processes: their hosts, mounts and files.
for dir in "$TMP_ROOT"/*/; do
  [ -d "$dir" ] || continue
  dir=${dir%/}
  owner=$(cat "$dir/owner" 2>/dev/null || true)
  if [ -z "$owner" ]; then
    # Crashed before writing the owner file: the dir name starts with the pid.
    name=${dir##*/}
    pid_alive "${name%%-*}" && ! $all && continue
  elif stamp_alive "$owner" && ! $all; then
    continue
  fi
  log "reaping fleet $dir"
  for machine_file in "$dir"/hosts/*/machine; do
    [ -f "$machine_file" ] && reap_machine "$(cat "$machine_file")"
  done
  mapfile -t strays < <(nspawn_pids_under "$dir")
  kill_and_wait "${strays[@]}"
  findmnt -rn -o TARGET | { grep -F "$dir/" || true; } | sort -r | while read -r mnt; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
  done
  if findmnt -rn -o TARGET | grep -qF "$dir/"; then
    log "warning: $dir still has mounts; leaving it"
  else
    rm -rf --one-file-system "$dir"
  fi
  reaped=$((reaped + 1))
done

# 2. Host cgroups whose fleet dir is already gone (machine names are dtf-PID-SEQ-N).
for mount in $(cgroup_mounts); do
  for cg in "$mount/$CGROUP_NAME"/dtf-*; do
    [ -d "$cg" ] || continue
    machine=${cg##*/}
    owner_pid=${machine#dtf-}
    owner_pid=${owner_pid%%-*}
    pid_alive "$owner_pid" && ! $all && continue
    reap_machine "$machine"
    reaped=$((reaped + 1))
  done
done

# 3. Port leases of dead processes.
for lease in "$PORT_DIR"/*; do
  [ -f "$lease" ] || continue
  if $all || ! stamp_alive "$(cat "$lease" 2>/dev/null || true)"; then rm -f "$lease"; fi
done

[ "$reaped" -eq 0 ] || log "reaped $reaped leftover(s)"
