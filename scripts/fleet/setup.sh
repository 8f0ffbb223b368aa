#!/usr/bin/env bash
# Installs what the e2e fleet needs and builds the cached base rootfs its nspawn hosts boot from.
#
# Idempotent: a machine that already has the packages and the base does nothing but
# print where the base is. Must run as root (apt-get, debootstrap, chroot).
# Usage: scripts/fleet/setup.sh
#   env DEPTOOL_FLEET_MIRROR overrides the Debian mirror, DEPTOOL_FLEET_CACHE the cache dir
#   (the harness then needs DEPTOOL_FLEET_BASE=<cache>/current/rootfs).
set -euo pipefail

CACHE=${DEPTOOL_FLEET_CACHE:-/var/cache/deptool-fleet}
SUITE=bookworm
# zsh and fish: the completion tests run the scripts `deptool completion` prints in each shell.
PACKAGES=(debootstrap debian-archive-keyring systemd-container openssh-client shellcheck ansible zsh fish)
# What the hosts need (fleet.md), plus sudo and dash for the non-root and POSIX-sh tests.
INCLUDE=systemd,systemd-sysv,dbus,openssh-server,python3,procps,util-linux,sudo,dash
# Bump when the customisation below changes, so every machine rebuilds its base.
RECIPE=1

log() { printf 'fleet-setup: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get, debootstrap and the nspawn hosts need it)"
export DEBIAN_FRONTEND=noninteractive

# --- packages ---------------------------------------------------------------------

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

has_candidate() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  # ansible is only the benchmark baseline: one installed some other way (pip) is fine.
  if [ "$pkg" = ansible ] && command -v ansible-playbook >/dev/null 2>&1; then continue; fi
  installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  # Update the package lists only when they cannot serve what we are about to install;
  # a stale list that 404s on download gets one update and one retry.
  need_update=false
  for pkg in "${missing[@]}"; do has_candidate "$pkg" || need_update=true; done
  if $need_update; then
    log "apt-get update"
    apt-get update -qq
  fi
  log "installing ${missing[*]}"
  if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
    log "install failed; refreshing package lists and retrying once"
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# --- mirror -----------------------------------------------------------------------

# The Debian mirror this machine's apt uses for $SUITE (deb822 .sources or one-line
# .list), so debootstrap goes where apt demonstrably can.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      function flush() { if (deb && hit && uri != "") { print uri; found = 1; exit } deb = hit = 0; uri = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
      tolower($1) == "uris:" { uri = $2 }
      END { if (!found) flush() }
    ' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] URI suite components...
    sed -e 's/\[[^]]*\]//' "$f" | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2 }'
  done
}

MIRROR=${DEPTOOL_FLEET_MIRROR:-$(apt_mirror | head -n 1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
MIRROR=${MIRROR%/}

# --- kernel limits ----------------------------------------------------------------

# Every booted host's systemd takes inotify instances; the default of 128 per user runs
# out at about twenty hosts ("Failed to allocate manager object: Too many open files").
for limit in fs.inotify.max_user_instances=4096 fs.inotify.max_user_watches=1048576; do
  if [ "$(sysctl -n "${limit%%=*}")" -lt "${limit#*=}" ]; then sysctl -q -w "$limit"; fi
done

# --- base rootfs ------------------------------------------------------------------

KEY=$(printf '%s\n' "recipe=$RECIPE" "suite=$SUITE" "include=$INCLUDE" | sha256sum | cut -c1-12)
KEY="$SUITE-$KEY"
BASE="$CACHE/$KEY"

mkdir -p "$CACHE"
# One setup at a time: two concurrent builds would waste minutes, and the stale-build
# cleanup below may only run when nobody else is building.
exec 9>"$CACHE/.lock"
flock 9

# Point $CACHE/current at the base for the fleet harness (atomic rename of a new link).
publish() {
  ln -sfn "$KEY" "$CACHE/.current.$$"
  mv -T "$CACHE/.current.$$" "$CACHE/current"
  log "base rootfs: $BASE/rootfs"
}

# Leftovers of interrupted builds (we hold the lock, so nobody is building): a killed
# debootstrap may have left proc/sys mounted inside.
for stale in "$CACHE"/.build-*; do
  [ -e "$stale" ] || continue
  log "removing interrupted build $stale"
  findmnt -rn -o TARGET | { grep -F "$stale/" || true; } | sort -r | while read -r mnt; do umount -l "$mnt"; done
  rm -rf --one-file-system "$stale"
done

if [ -d "$BASE/rootfs" ]; then
  publish
  exit 0
fi

command -v wget >/dev/null 2>&1 || die "wget is missing (debootstrap depends on it)"
if ! wget -q -O /dev/null --timeout=20 --tries=2 "$MIRROR/dists/$SUITE/InRelease"; then
  die "the Debian mirror $MIRROR does not serve $SUITE (checked $MIRROR/dists/$SUITE/InRelease); set DEPTOOL_FLEET_MIRROR"
fi

BUILD="$CACHE/.build-$KEY-$$"
ROOTFS="$BUILD/rootfs"
build_pid=
cleanup() {
  # debootstrap runs in its own process group (dpkg and friends under it), so an
  # interrupted setup stops all of it before deleting the half-built tree.
  if [ -n "$build_pid" ] && kill -0 "$build_pid" 2>/dev/null; then
    kill -TERM -- "-$build_pid" 2>/dev/null || true
    wait "$build_pid" 2>/dev/null || true
  fi
  if [ -d "$BUILD" ]; then
    findmnt -rn -o TARGET | { grep -F "$BUILD/" || true; } | sort -r | while read -r mnt; do umount -l "$mnt"; done
    rm -rf --one-file-system "$BUILD"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
mkdir -p "$BUILD"

log "building base $KEY from $MIRROR (about two minutes)"
started=$(date +%s)
# In the background so a signal interrupts `wait` at once and the EXIT trap cleans up.
setsid debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOTFS" "$MIRROR" >"$BUILD/debootstrap.log" 2>&1 </dev/null &
build_pid=$!
build_status=0
wait "$build_pid" || build_status=$?
build_pid=
if [ "$build_status" -ne 0 ]; then
  tail -n 30 "$BUILD/debootstrap.log" >&2
  [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -n 30 "$ROOTFS/debootstrap/debootstrap.log" >&2
  die "debootstrap failed"
fi

# Every host gets its own host key, generated by the harness.
rm -f "$ROOTFS"/etc/ssh/ssh_host_*
# Every host gets its own machine id from the harness (stable across its restarts).
: >"$ROOTFS/etc/machine-id"
# Package lists and downloaded .debs only make every overlay bigger.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/archives/*.deb
# The apt timers would hit the mirror from every test host at random times.
ln -sfn /dev/null "$ROOTFS/etc/systemd/system/apt-daily.timer"
ln -sfn /dev/null "$ROOTFS/etc/systemd/system/apt-daily-upgrade.timer"
install -d -m 0700 "$ROOTFS/root/.ssh"

# A non-root user for the `sudo -n` transport tests. Password '*' (not '!') because
# sshd treats a '!'-locked account as locked even for public-key logins.
chroot "$ROOTFS" useradd --create-home --shell /bin/bash --password '*' deploy
install -d -m 0700 -o "$(chroot "$ROOTFS" id -u deploy)" -g "$(chroot "$ROOTFS" id -g deploy)" "$ROOTFS/home/deploy/.ssh"
printf 'deploy ALL=(ALL:ALL) NOPASSWD: ALL\n' >"$ROOTFS/etc/sudoers.d/deploy"
chmod 0440 "$ROOTFS/etc/sudoers.d/deploy"
chroot "$ROOTFS" visudo -cq -f /etc/sudoers.d/deploy

{
  echo "key=$KEY"
  echo "mirror=$MIRROR"
  echo "include=$INCLUDE"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "seconds=$(($(date +%s) - started))"
} >"$BUILD/info"
# shellcheck disable=SC2016 # dpkg-query's own format, not a shell expansion
chroot "$ROOTFS" dpkg-query -W -f='${Package} ${Version}\n' >"$BUILD/packages"

# Atomic: the base appears complete or not at all.
mv -T "$BUILD" "$BASE"
trap - EXIT
log "built in $(($(date +%s) - started)) s ($(du -sh --one-file-system "$BASE/rootfs" | cut -f1))"
publish
