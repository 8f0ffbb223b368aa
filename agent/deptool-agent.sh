#!/bin/sh
# deptool agent: runs on each host as root, executes the driver's steps and reports facts (contract: docs/agent-protocol.md).
AGENT_VERSION=0.2.0

set -eu
umask 022
# Byte-order sort/comm, untranslated tool output, and UTF-8 glyphs in `systemctl status`.
LC_ALL=C.UTF-8
export LC_ALL

tab='	'
nl='
'
ROOT=
# The driver runs the agent by its absolute path (and so does activate, through
# systemd-run): resolving it would cost a process on every call.
case $0 in
  /*) self=$0 ;;
  *) self=$(readlink -f -- "$0") ;;
esac

usage() {
  printf 'error %s\n' "$*" >&2
  exit 2
}

refuse() {
  printf 'error %s\n' "$@"
  exit 3
}

# Sets sha10 to the first 10 hex digits of this script's SHA-256 (hashed on every
# call, so a changed file never passes for the installed agent). One process: the
# output goes through a file, not a command substitution.
agent_sha10() {
  if [ -n "${1:-}" ]; then
    sha256sum <"$self" >"$1"
    read -r sha10 _ <"$1"
  else
    sha10=$(sha256sum <"$self")
  fi
  sha10=${sha10%"${sha10#??????????}"}
}

# Sets ms to a monotonic clock in milliseconds, from /proc/uptime (centiseconds):
# `date` would cost a process on every poll.
now_ms() {
  read -r ms _ </proc/uptime
  ms=${ms%.*}${ms#*.}0
  while :; do
    case $ms in 0?*) ms=${ms#0} ;; *) break ;; esac
  done
}

# One line out of a command's output, for `error` lines.
oneline() {
  printf '%s' "$1" | tr '\n' ' '
}

# Sets fl to the first line of file $1 (empty when there is no such file).
first_line() {
  fl=
  if [ -f "$1" ]; then IFS= read -r fl <"$1" || true; fi
}

# A path as the driver knows it: without the sandbox prefix.
unroot() {
  printf '%s' "${1#"$ROOT"}"
}

# --- validation (the driver validates too; these keep a bad request from doing harm) ---

is_name() {
  case $1 in '' | . | .. | *[!A-Za-z0-9._-]*) return 1 ;; esac
}

is_rev() {
  case $1 in *[!0-9a-f]*) return 1 ;; esac
  [ ${#1} -eq 10 ]
}

is_id() {
  case $1 in '' | -* | *[!A-Za-z0-9_-]*) return 1 ;; esac
  [ ${#1} -le 64 ]
}

is_uint() {
  case $1 in '' | *[!0-9]*) return 1 ;; esac
}

# A confirmation nonce: 32 lowercase hex digits.
is_nonce() {
  case $1 in *[!0-9a-f]*) return 1 ;; esac
  [ ${#1} -eq 32 ]
}

# Absolute and normalised: no `.`, `..` or empty components, no control characters.
is_abs() {
  case $1 in /*) ;; *) return 1 ;; esac
  case $1/ in */./* | */../* | *//*) return 1 ;; esac
  case $1 in *[[:cntrl:]]*) return 1 ;; esac
}

is_unit() {
  case $1 in '' | -* | .* | */* | *[!A-Za-z0-9:_.@\\-]*) return 1 ;; esac
}

# A user or group of a permissions list: `-` (unset), a numeric id, or a name as useradd
# takes it (lowercase, not starting with a digit, at most 32 characters, maybe a final `$`).
is_account() {
  case $1 in
    -) return 0 ;;
    '') return 1 ;;
    *[!0-9]*) ;;
    *) [ ${#1} -le 10 ] && return 0 || return 1 ;;
  esac
  _ia=${1%\$}
  case $_ia in [a-z_]*) ;; *) return 1 ;; esac
  case $_ia in *[!a-z0-9_-]*) return 1 ;; esac
  [ ${#_ia} -le 32 ]
}

# --- links ------------------------------------------------------------------------------

# The content of link $1, or `-` when $1 is not a symlink.
link_of() {
  if [ -L "$1" ]; then readlink -- "$1"; else printf -- '-'; fi
}

# Reads the symlinks given as arguments with one `readlink` for all of them (one
# process per link adds up): sets rl_1, rl_2, ... to each one's content, or `-` when
# it is not a symlink. A content with a newline would shift the lines; then every
# link is read on its own.
read_links() {
  _rl_any=0
  for _rl_p; do
    if [ -L "$_rl_p" ]; then _rl_any=1; fi
  done
  : >"$scratch"
  if [ "$_rl_any" = 1 ]; then readlink -- "$@" >"$scratch" 2>/dev/null || true; fi
  exec 5<"$scratch"
  _rl_i=0
  _rl_ok=1
  for _rl_p; do
    _rl_i=$((_rl_i + 1))
    _rl_v=-
    if [ -L "$_rl_p" ]; then IFS= read -r _rl_v <&5 || _rl_ok=0; fi
    eval "rl_$_rl_i=\$_rl_v"
  done
  if IFS= read -r _rl_v <&5 || [ -n "$_rl_v" ]; then _rl_ok=0; fi
  exec 5<&-
  [ "$_rl_ok" = 0 ] || return 0
  _rl_i=0
  for _rl_p; do
    _rl_i=$((_rl_i + 1))
    _rl_v=$(link_of "$_rl_p")
    eval "rl_$_rl_i=\$_rl_v"
  done
}

# Sets lr to the name of the revision dir that link $1 points at, when that is a sibling
# of the link (as `current` and `previous` are): `cd -P` resolves it without a process.
# Returns 1 otherwise (a dangling link, a link elsewhere).
link_rev() {
  lr=
  _lr_dir=
  if cd -P -- "${1%/*}" 2>/dev/null; then _lr_dir=$PWD; fi
  if [ -z "$_lr_dir" ] || ! cd -P -- "$1" 2>/dev/null; then
    cd /
    return 1
  fi
  lr=${PWD##*/}
  _lr_up=${PWD%/*}
  cd /
  is_rev "$lr" && [ "$_lr_up" = "$_lr_dir" ]
}

# Sets lk_cur and lk_prv to the revisions the `current` and `previous` links of app dir
# $1 point at (`-` when missing); one `readlink` only when link_rev cannot tell.
app_links() {
  lk_cur=- lk_prv=-
  if [ -L "$1/current" ]; then
    if link_rev "$1/current"; then lk_cur=$lr; else lk_cur=; fi
  fi
  if [ -L "$1/previous" ]; then
    if link_rev "$1/previous"; then lk_prv=$lr; else lk_prv=; fi
  fi
  if [ -z "$lk_cur" ] || [ -z "$lk_prv" ]; then
    read_links "$1/current" "$1/previous"
    eval "lk_cur=\$rl_1 lk_prv=\$rl_2"
  fi
}

# Points link $1 at $2 atomically: a new link renamed over the old one, so readers see
# the old or the new link and never nothing (`ln -sfn` unlinks first).
set_link() {
  _sl=${1%/*}/.${1##*/}.deptool-$$
  rm -f -- "$_sl"
  if ln -s -- "$2" "$_sl" && mv -T -- "$_sl" "$1"; then return 0; fi
  rm -f -- "$_sl"
  err="cannot make $(unroot "$1") a symlink to $(unroot "$2")"
  return 1
}

# Puts link $1 back to value $2, or removes it when $2 is `-` (it did not exist).
restore_link() {
  if [ "$2" = - ]; then rm -f -- "$1"; else set_link "$1" "$2"; fi
}

# --- tar input ----------------------------------------------------------------------------

# Receives a tar stream on stdin into the new directory $1. The stream is saved to a file
# and listed before anything is extracted: only regular files and directories are
# accepted (no symlink or hard link can redirect a later member), and no name may be
# absolute or contain `..`, so every member lands inside $1 (stage_dir checks the result
# once more). Extraction ignores the archive's owners and permission bits beyond the
# umask (0644/0755). $1.tar and $1.list stay for the caller's cleanup.
receive_tar() {
  cat >"$1.tar"
  if ! tar -tvf "$1.tar" --numeric-owner --quoting-style=escape >"$1.list" 2>"$1.err"; then
    IFS= read -r _rt <"$1.err" || true
    refuse "the input is not a valid tar stream: $_rt"
  fi
  # One verbose listing gives both the type and the name: `<mode> <uid>/<gid> <size>
  # <date> <time> <name>`. Only types `-` and `d` get past the first case, so the size
  # field never holds the two numbers of a device.
  while IFS= read -r _rt; do
    case $_rt in
      -* | d*) ;;
      *) refuse "only regular files and directories are accepted: $_rt" ;;
    esac
    IFS=' ' read -r _ _ _ _ _ _rt <<EOT
$_rt
EOT
    case $_rt in /*) refuse "absolute path in the archive: $_rt" ;; esac
    case /$_rt/ in */../*) refuse "path with '..' in the archive: $_rt" ;; esac
  done <"$1.list"
  # tar makes $1 itself, as the first component of every member's name (a process fewer
  # than mkdir); only an empty archive leaves it to mkdir.
  tar -xf "$1.tar" -C "${1%/*}" --transform="s|^|${1##*/}/|" --no-same-owner --no-same-permissions
  [ -d "$1" ] || mkdir -- "$1"
}

# --- revisions ----------------------------------------------------------------------------

# Counts into cf_n the regular files under dir $1 as `find $1 -type f` does (symlinks
# are neither counted nor followed), without starting a process.
count_files() {
  for _cf_e in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    if [ -L "$_cf_e" ]; then continue; fi
    if [ -f "$_cf_e" ]; then
      cf_n=$((cf_n + 1))
    elif [ -d "$_cf_e" ]; then
      count_files "$_cf_e"
    fi
  done
}

# Calls "$3 <kind> <what>" for every difference between revision dir $1 and its checksum
# list $2 (absolute path): kind `modified` (content differs, or listed but missing),
# `extra` (not listed) or `invalid` (what is wrong with the list); calls nothing when
# they agree. Missing files come from comparing the lists, so a listed path that
# escapes the dir counts as missing.
check_rev() {
  # The common case in one process: every listed file verifies and the dir holds as
  # many files as the list names (no line may leave the dir, or the count could match
  # an extra file). Anything else gets the detailed comparison below.
  _cr_safe=1
  _cr_lines=0
  while IFS= read -r _cl; do
    _cr_lines=$((_cr_lines + 1))
    # `<sha256>  <path>`, or `<sha256> *<path>` for an executable (sha256sum's binary mark).
    _cl=${_cl#* }
    case /${_cl#?}/ in */../* | *//* | */./*) _cr_safe=0 ;; esac
  done <"$2"
  if [ "$_cr_safe" = 1 ] && [ "$_cr_lines" -gt 0 ]; then
    # Small revisions are counted by the shell; `find` is quicker for big ones.
    if [ "$_cr_lines" -le 256 ]; then
      cf_n=0
      count_files "$1"
    else
      find "$1" -type f -printf . >"$scratch"
      IFS= read -r cf_n <"$scratch" || true
      cf_n=${#cf_n}
    fi
    # Without a subshell for the cd: every path the agent uses is absolute.
    _cr_ok=0
    if [ "$cf_n" = "$_cr_lines" ] && cd -- "$1" && sha256sum -c --strict --quiet "$2" >/dev/null 2>&1; then _cr_ok=1; fi
    cd /
    [ "$_cr_ok" = 0 ] || return 0
  fi
  _cr=$D/tmp/check.$$
  (cd "$1" && find . -type f) | sed 's|^\./||' | sort >"$_cr.have"
  sed 's/^[0-9a-f]\{64\} [ *]//' "$2" | sort >"$_cr.want"
  : >"$_cr.out"
  if [ -s "$2" ] && ! (cd "$1" && sha256sum -c --strict --quiet "$2") >"$_cr.out" 2>"$_cr.err" && [ ! -s "$_cr.out" ]; then
    "$3" invalid "checksum list: $(oneline "$(head -n 1 "$_cr.err")")"
  fi
  while IFS= read -r _cl; do
    case $_cl in *': FAILED') "$3" modified "${_cl%: FAILED}" ;; esac
  done <"$_cr.out"
  comm -13 "$_cr.have" "$_cr.want" >"$_cr.out"
  while IFS= read -r _cl; do "$3" modified "$_cl"; done <"$_cr.out"
  comm -23 "$_cr.have" "$_cr.want" >"$_cr.out"
  while IFS= read -r _cl; do "$3" extra "$_cl"; done <"$_cr.out"
  rm -f -- "$_cr.out" "$_cr.err" "$_cr.have" "$_cr.want"
}

# --- permissions ------------------------------------------------------------------------------

# Splits line $1 of a permissions list into pm, po, pg (mode, owner, group; `-` when unset)
# and pp (the path: the rest of the line, spaces included). Returns 1 when the line is
# malformed: the driver sends only validated values.
perm_fields() {
  case $1 in *' '*' '*' '?*) ;; *) return 1 ;; esac
  pm=${1%% *}
  _pf=${1#* }
  po=${_pf%% *}
  _pf=${_pf#* }
  pg=${_pf%% *}
  pp=${_pf#* }
  case $pm in - | 0[0-7][0-7][0-7]) ;; *) return 1 ;; esac
  is_account "$po" && is_account "$pg" || return 1
  [ "$pm$po$pg" != --- ] || return 1
  case $pp in /* | *[[:cntrl:]]*) return 1 ;; esac
  case /$pp/ in */../* | */./* | *//*) return 1 ;; esac
}

# Gives the files of staged revision dir $1 the modes of its permissions list ($1.perms), one
# chmod per distinct mode; the list and the checksum list, which name and hash those files,
# become 0400 in the same go. Every malformed line, or path that is not a file of the
# revision, is a problem (stage_dir refuses the stream).
stage_modes() {
  _sm_dir=$1
  _sm_modes="${nl}0400$nl"
  _sm_bad=0
  while IFS= read -r _sm_l || [ -n "$_sm_l" ]; do
    if ! perm_fields "$_sm_l"; then
      problem "${_sm_dir#"$_sd"/}: malformed permissions line: $_sm_l"
      _sm_bad=1
    elif [ ! -f "$_sm_dir/$pp" ] || [ -L "$_sm_dir/$pp" ]; then
      problem "${_sm_dir#"$_sd"/}: permissions for $pp, which is not a file of the revision"
      _sm_bad=1
    elif [ "$pm" != - ]; then
      case $_sm_modes in *"$nl$pm$nl"*) ;; *) _sm_modes=$_sm_modes$pm$nl ;; esac
    fi
  done <"$_sm_dir.perms"
  [ "$_sm_bad" = 0 ] || return 0
  for _sm_m in $_sm_modes; do
    set --
    if [ "$_sm_m" = 0400 ]; then set -- "$_sm_dir.sha256" "$_sm_dir.perms"; fi
    while IFS= read -r _sm_l || [ -n "$_sm_l" ]; do
      perm_fields "$_sm_l" || continue
      if [ "$pm" = "$_sm_m" ]; then set -- "$@" "$_sm_dir/$pp"; fi
    done <"$_sm_dir.perms"
    chmod "$_sm_m" -- "$@"
  done
}

# Prints `mode|owner|group <app $1> <on the host> <expected> <path>` for every file of
# revision dir $2 whose mode, owner or group differs from permissions list $3: one `stat` for
# all its files. Owners are not compared under --root, where the agent does not chown. A file
# that is gone makes stat fail; check_rev reports it already.
check_perms() {
  _cp_app=$1
  _cp_dir=$2
  _cp_list=$3
  set --
  while IFS= read -r _cp_l || [ -n "$_cp_l" ]; do
    if perm_fields "$_cp_l"; then set -- "$@" "$_cp_dir/$pp"; fi
  done <"$_cp_list"
  [ $# -gt 0 ] || return 0
  stat -c '%a %u %g %U %G' -- "$@" >"$scratch" 2>/dev/null || return 0
  exec 5<"$scratch"
  while IFS= read -r _cp_l || [ -n "$_cp_l" ]; do
    perm_fields "$_cp_l" || continue
    IFS=' ' read -r _cp_mode _cp_uid _cp_gid _cp_user _cp_group <&5 || break
    while [ ${#_cp_mode} -lt 4 ]; do _cp_mode=0$_cp_mode; done
    if [ "$pm" != - ] && [ "$pm" != "$_cp_mode" ]; then printf 'mode %s %s %s %s\n' "$_cp_app" "$_cp_mode" "$pm" "$pp"; fi
    [ -z "$ROOT" ] || continue
    if [ "$po" != - ]; then
      if is_uint "$po" || [ "$_cp_user" = UNKNOWN ]; then _cp_user=$_cp_uid; fi
      if [ "$po" != "$_cp_user" ] && [ "$po" != "$_cp_uid" ]; then printf 'owner %s %s %s %s\n' "$_cp_app" "$_cp_user" "$po" "$pp"; fi
    fi
    if [ "$pg" != - ]; then
      if is_uint "$pg" || [ "$_cp_group" = UNKNOWN ]; then _cp_group=$_cp_gid; fi
      if [ "$pg" != "$_cp_group" ] && [ "$pg" != "$_cp_gid" ]; then printf 'group %s %s %s %s\n' "$_cp_app" "$_cp_group" "$pg" "$pp"; fi
    fi
  done <"$_cp_list"
  exec 5<&-
}

# --- session --------------------------------------------------------------------------------

require_session() {
  is_uint "$1" || usage "bad session pid: $1"
  first_line "$D/lock.holder"
  # The flock is the authority: a holder line whose session ended is stale, and a
  # pid alone could have been reused. Taking the lock here would succeed only when no
  # session holds it (and it is let go when this refusal exits).
  if [ "${fl##* }" != "$1" ] || ! kill -0 "$1" 2>/dev/null; then refuse "no session"; fi
  exec 7>>"$D/lock"
  if flock -n 7; then refuse "no session"; fi
  exec 7>&-
}

# Sets last to the newest activation's id (empty when there is none).
last_activation() {
  last=
  if [ -f "$D/activations/order" ]; then
    while IFS= read -r _la; do last=$_la; done <"$D/activations/order"
  fi
}

# True once activation $1 has ended: it wrote its result (its last act), or nobody
# holds activation.lock and its transient unit is gone (a unit that was killed writes
# no result).
activation_ended() {
  [ ! -f "$D/activations/$1/result" ] || return 0
  flock -n "$D/activation.lock" true || return 1
  [ -z "$ROOT" ] || return 0
  case $(systemctl show -p ActiveState --value "deptool-activate-$1.service" 2>/dev/null) in
    activating | active | deactivating | reloading) return 1 ;;
  esac
}

# Waits at most $2 seconds for activation $1 to end.
wait_activation() {
  now_ms
  _wa_end=$((ms + $2 * 1000))
  until activation_ended "$1"; do
    now_ms
    [ "$ms" -lt "$_wa_end" ] || return 1
    sleep 0.1
  done
}

# Prints "$1 <byte count>", then the lines of file $2, each ending in a newline (a
# last line without one gets it). The shell counts the bytes (${#} in the C locale
# counts bytes in dash and bash alike): `wc` and `cat` would be two processes.
print_counted() {
  _pc_text=
  while IFS= read -r _pc_l || [ -n "$_pc_l" ]; do _pc_text=$_pc_text$_pc_l$nl; done <"$2"
  LC_ALL=C
  _pc_n=${#_pc_text}
  LC_ALL=C.UTF-8
  printf '%s %s\n%s' "$1" "$_pc_n" "$_pc_text"
}

# The lock is taken. While an activation (or the recovery of one) runs, the session that
# started it keeps the lock, even when its driver is gone (killed, or its connection cut):
# the lock is let go when the activation ends, so wait for that, at most $1 seconds, saying
# so, instead of refusing. Any other holder is a live deploy: refuse at once.
wait_for_lock() {
  first_line "$D/lock.holder"
  last_activation
  if [ -n "$last" ] && ! flock -n "$D/activation.lock" true; then
    printf 'waiting %s %s\n' "$last" "$fl"
    if flock -w "$1" 9; then return 0; fi
    printf 'busy activation %s is still running after %s s\n' "$last" "$1"
    exit 75
  fi
  printf 'busy %s\n' "$fl"
  exit 75
}

# Undoes activation $1, which ended without a result (its transient unit was killed, the host
# lost power), from its journal before anything else happens on the host. Inside a transient
# unit, so that a dropped connection cannot stop the rollback half-way; at most $2 seconds.
recover_now() {
  if [ -n "$ROOT" ]; then
    /bin/sh "$self" --root "$ROOT" recover "$1" session </dev/null >/dev/null 2>>"$D/activations/$1/run.err" || true
  else
    systemd-run --unit "deptool-recover-$1" --collect --wait --quiet --service-type=oneshot \
      -p "TimeoutStartSec=$2" -p KillMode=mixed /bin/sh "$self" recover "$1" session \
      </dev/null >/dev/null 2>>"$D/activations/$1/run.err" || true
  fi
}

BOOT_UNIT=deptool-recover.service

# Installs the unit that undoes an interrupted activation at boot, before the host's services
# start (a power cut during an activation must not leave it half-applied until the next
# deploy). Only when it is missing or runs another agent: no process otherwise. systemd reads
# it at the next boot; no reload is needed.
ensure_boot_unit() {
  _bu=/etc/systemd/system/$BOOT_UNIT
  _bw=/etc/systemd/system/sysinit.target.wants/$BOOT_UNIT
  _bx="ExecStart=/bin/sh $self boot"
  if [ -f "$_bu" ] && [ -L "$_bw" ]; then
    while IFS= read -r _bl; do [ "$_bl" != "$_bx" ] || return 0; done <"$_bu"
  fi
  cat >"$_bu.deptool-$$" <<EOT
# Written by the deptool agent: undoes a deploy that a power cut or a reboot interrupted.
[Unit]
Description=deptool: undo an interrupted activation
Documentation=https://github.com/deptool/deptool/blob/main/docs/agent-protocol.md
DefaultDependencies=no
RequiresMountsFor=$D
After=local-fs.target
Before=sysinit.target shutdown.target
Conflicts=shutdown.target

[Service]
Type=oneshot
$_bx
TimeoutStartSec=600

[Install]
WantedBy=sysinit.target
EOT
  mv -f "$_bu.deptool-$$" "$_bu"
  [ -d "${_bw%/*}" ] || mkdir -p "${_bw%/*}"
  set_link "$_bw" "$_bu"
}

# Prints where unit file $1 comes from on this host: `deptool` (a link into /var/lib/deptool
# in /etc/systemd/system), the path of a unit file deptool did not make, or `-` (no such
# unit). deptool links only units it made: replacing one of the host's own (ssh.service)
# could lock its operators out.
unit_fact() {
  _uf=-
  for _ud in /etc/systemd/system /run/systemd/system /run/systemd/transient /run/systemd/generator.early \
    /run/systemd/generator /run/systemd/generator.late /usr/local/lib/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
    _up=$ROOT$_ud/$1
    if [ -L "$_up" ] || [ -e "$_up" ]; then
      _uf=$_ud/$1
      if [ "$_ud" = /etc/systemd/system ] && [ -L "$_up" ]; then
        read_links "$_up"
        _uf_l=-
        eval "_uf_l=\$rl_1"
        case $_uf_l in "$D/"*) _uf=deptool ;; esac
      fi
      break
    fi
  done
  printf 'unitfile %s %s\n' "$1" "$_uf"
}

# tmp/ holds revisions before their modes are set and activations/ copies of adopted files:
# neither may be open to others. Hosts set up by an older agent have them 0755. A shell cannot
# read a mode without a process, so a stamp records that they were made 0700; `again` (after
# mkdir made some of them anew) ignores it.
private_dirs() {
  [ "${1:-}" = again ] || [ ! -e "$D/private-dirs" ] || return 0
  chmod 0700 "$D/tmp" "$D/activations"
  : >"$D/private-dirs"
}

cmd_session() {
  case $1 in '' | *[[:cntrl:]]*) usage "bad holder" ;; esac
  _holder=$1
  is_uint "${2:-}" || usage "bad wait: ${2:-}"
  _wait=$2
  shift 2
  # Unit names cannot hold a tab (is_unit), so they are kept tab-separated.
  _units=
  while [ $# -gt 0 ] && [ "$1" = --unit ]; do
    if [ $# -lt 2 ] || ! is_unit "$2"; then usage "bad unit: ${2:-}"; fi
    _units=$_units$2$tab
    shift 2
  done
  for _t; do is_abs "$_t" || usage "not a normalised absolute path: $_t"; done
  if [ ! -d "$D/apps" ] || [ ! -d "$D/bin" ] || [ ! -d "$D/activations" ] || [ ! -d "$D/tmp" ]; then
    mkdir -p "$D/apps" "$D/bin" "$D/activations" "$D/tmp"
    private_dirs again
  fi
  private_dirs
  exec 9>>"$D/lock"
  if ! flock -n 9; then wait_for_lock "$_wait"; fi
  # Whose the last session was: an activation it started may still run (its session died
  # with the connection, or was killed), and waiting for it is said with its holder.
  first_line "$D/lock.holder"
  _prev_holder=$fl
  # Written in place (no rename): it is read only by a session refused as busy, for its
  # message, and by commands presenting this session's token, which come after `ready`.
  { printf '%s ' "$_holder" && date "+%s $$"; } >"$D/lock.holder"
  # Leftovers of stages that died; we hold the lock, so nobody else is staging.
  for _f in "$D"/tmp/* "$D"/tmp/.[!.]* "$D"/tmp/..?*; do
    if [ -e "$_f" ] || [ -L "$_f" ]; then
      rm -rf "$D/tmp"
      mkdir -m 0700 "$D/tmp"
      break
    fi
  done
  # A dry run's scratch root that its session left behind (killed, its connection cut).
  if [ -e "$D/dryrun" ]; then rm -rf -- "$D/dryrun"; fi
  last_activation
  if [ -n "$last" ] && ! activation_ended "$last"; then
    printf 'waiting %s %s\n' "$last" "$_prev_holder"
    if ! wait_activation "$last" "$_wait"; then
      printf 'busy activation %s is still running after %s s\n' "$last" "$_wait"
      exit 75
    fi
  fi
  if [ -n "$last" ] && [ ! -f "$D/activations/$last/result" ]; then recover_now "$last" "$_wait"; fi
  [ -n "$ROOT" ] || ensure_boot_unit

  printf 'session %s\n' "$$"
  agent_sha10 "$scratch"
  printf 'agent %s %s\n' "$AGENT_VERSION" "$sha10"
  first_line "$ROOT/etc/hostname"
  printf 'hostname %s\n' "$fl"
  if [ -n "$ROOT" ]; then
    printf 'system skipped\n'
  else
    _sys=
    systemctl is-system-running >"$scratch" 2>/dev/null || true
    read -r _sys <"$scratch" || true
    printf 'system %s\n' "$_sys"
    # A running system has no failed units: they would make it degraded.
    if [ "$_sys" != running ]; then
      systemctl list-units --state=failed --no-legend --plain --full >"$scratch" 2>/dev/null || true
      while read -r _u _; do printf 'failed %s\n' "$_u"; done <"$scratch"
    fi
  fi
  if [ -n "$last" ]; then
    first_line "$D/activations/$last/result"
    _la_r=${fl:-failed}
    # A recovery is reported once, to the first session after it (a stamp: no process).
    _la_m=
    if [ -f "$D/activations/$last/recovered" ] && [ ! -e "$D/activations/$last/reported" ]; then
      first_line "$D/activations/$last/recovered"
      _la_m=" recovered-$fl"
      : >"$D/activations/$last/reported"
    fi
    printf 'activation %s %s%s\n' "$last" "$_la_r" "$_la_m"
  fi
  while [ -n "$_units" ]; do
    unit_fact "${_units%%"$tab"*}"
    _units=${_units#*"$tab"}
  done
  check_facts session "$@"
  printf 'ready\n'
  # Then requests, one per line (see session_request), until the end of stdin or an
  # `activate`, which runs here, on the session's channel: that saves the driver a channel
  # and the host a login shell and an agent. The lock (descriptor 9) lives until this
  # process exits, which the driver's end of stdin or a dropped connection brings about.
  # Builtins only between requests: no child process holds the lock, and the pid stays the
  # token. `read` takes stdin a byte at a time, so an activation's input stays for its tar.
  while IFS= read -r _sl; do
    [ -z "$_sl" ] || call_fields session_request "$_sl"
  done
}

# One request of the driver on the session's stdin (fields separated by tabs):
#   links <target>...                `link` facts of more targets, then `done`
#   units <unit>...                  `unitfile` facts of more units, then `done`
#   export <app> <rev>               the revision's files as a tar stream
#   activate <id> <timeout> <keep>   the activation, on the rest of stdin; ends the session
#   dry-run <id> <timeout>           the same against a scratch root (cmd_dry_run); ends the session
session_request() {
  case $1:$# in
    links:*)
      shift
      for _t; do is_abs "$_t" || usage "not a normalised absolute path: $_t"; done
      link_facts "$@"
      printf 'done\n'
      ;;
    units:*)
      shift
      for _u; do is_unit "$_u" || usage "bad unit: $_u"; done
      for _u; do unit_fact "$_u"; done
      printf 'done\n'
      ;;
    export:3) export_rev "$2" "$3" ;;
    activate:4)
      cmd_activate "$2" "$3" "$4"
      exit 0
      ;;
    dry-run:3)
      cmd_dry_run "$2" "$3"
      exit 0
      ;;
    *) usage "session: unexpected request: $1" ;;
  esac
}

# Sends revision $2 of app $1 as it is on the host, as `export <byte count>` and a tar of
# `<rev>/...` and `<rev>.sha256`, or one `error` line: a driver whose store lacks the
# revision learns its content this way (and checks it against the list).
export_rev() {
  if ! is_name "$1" || ! is_rev "$2"; then usage "export: bad app or revision"; fi
  _ex=$D/apps/$1
  if [ ! -d "$_ex/$2" ]; then
    printf 'error apps/%s/%s is not on the host\n' "$1" "$2"
    return 0
  fi
  set -- "$2"
  if [ -f "$_ex/$1.sha256" ]; then set -- "$1" "$1.sha256"; fi
  if ! tar -C "$_ex" -cf "$D/tmp/export.tar" --numeric-owner -- "$@" 2>"$scratch"; then
    first_line "$scratch"
    printf 'error cannot read apps/%s: %s\n' "${_ex##*/}/$1" "$fl"
    return 0
  fi
  read_size "$D/tmp/export.tar"
  printf 'export %s\n' "$size"
  cat -- "$D/tmp/export.tar"
  rm -f -- "$D/tmp/export.tar"
}

# Sets size to the byte count of file $1.
read_size() {
  wc -c <"$1" >"$scratch"
  read -r size <"$scratch"
}

# --- check, stage, gc ----------------------------------------------------------------------

# Reports one difference found by check_rev in the current revision of app $_app.
report_drift() {
  printf '%s %s %s\n' "$1" "$_app" "$2"
}

# The drift facts: every file of every current revision against its checksum list, and
# what each target path $2... is (link value, `-` when missing, `!` when not a link).
# With $1 = session, the current and previous link of every app and state.json come
# first.
check_facts() {
  _cf_session=$1
  shift
  # One readlink for the targets and every app's current and previous link.
  _cf_k=$#
  for _t; do set -- "$@" "$ROOT$_t"; done
  shift "$_cf_k"
  for _d in "$D"/apps/*/; do
    if [ -d "$_d" ]; then set -- "$@" "${_d%/}/current" "${_d%/}/previous"; fi
  done
  read_links "$@"
  if [ "$_cf_session" = session ]; then
    _cf_i=$_cf_k
    for _d in "$D"/apps/*/; do
      [ -d "$_d" ] || continue
      _d=${_d%/}
      _rev=- _prev=-
      eval "_rev=\$rl_$((_cf_i + 1)) _prev=\$rl_$((_cf_i + 2))"
      _cf_i=$((_cf_i + 2))
      if [ "$_rev" != - ]; then printf 'current %s %s\n' "${_d##*/}" "$_rev"; fi
      if [ "$_prev" != - ]; then printf 'previous %s %s\n' "${_d##*/}" "$_prev"; fi
    done
    if [ -f "$D/state.json" ]; then
      print_counted state "$D/state.json"
    else
      printf 'state 0\n'
    fi
  fi
  _cf_i=$_cf_k
  for _d in "$D"/apps/*/; do
    [ -d "$_d" ] || continue
    _d=${_d%/}
    _app=${_d##*/}
    _rev=-
    eval "_rev=\$rl_$((_cf_i + 1))"
    _cf_i=$((_cf_i + 2))
    [ "$_rev" != - ] || continue
    if [ ! -d "$_d/$_rev" ] || [ ! -f "$_d/$_rev.sha256" ]; then
      printf 'missing %s %s\n' "$_app" "$_rev"
      continue
    fi
    check_rev "$_d/$_rev" "$_d/$_rev.sha256" report_drift
    if [ -f "$_d/$_rev.perms" ]; then check_perms "$_app" "$_d/$_rev" "$_d/$_rev.perms"; fi
  done
  print_links "$_cf_k" "$@"
}

# Prints `link <target> <value>` for the first $1 of the paths that follow (with the $ROOT
# prefix), from rl_1... (read_links): the link's content as on a real host, `-` when nothing
# is there, `!` when something that is not a symlink is.
print_links() {
  _pl_k=$1
  shift
  _pl_i=0
  for _pl_p; do
    _pl_i=$((_pl_i + 1))
    [ "$_pl_i" -le "$_pl_k" ] || break
    _pl_v=-
    eval "_pl_v=\$rl_$_pl_i"
    _t=${_pl_p#"$ROOT"}
    if [ "$_pl_v" != - ]; then
      printf 'link %s %s\n' "$_t" "$(unroot "$_pl_v")"
    elif [ -e "$_pl_p" ]; then
      printf 'link %s !\n' "$_t"
    else
      printf 'link %s -\n' "$_t"
    fi
  done
}

# The `link` facts of targets $@.
link_facts() {
  _lf_k=$#
  for _t; do set -- "$@" "$ROOT$_t"; done
  shift "$_lf_k"
  read_links "$@"
  print_links $# "$@"
}

cmd_check() {
  check_facts check "$@"
  printf 'done\n'
}

cmd_stage() {
  x=$D/tmp/stage.$$
  trap 'rm -rf -- "$x" "$x.tar" "$x.list" "$x.err"' EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  receive_tar "$x"
  stage_dir "$x"
  printf 'done\n'
}

# Adds an `error` line to the problems stage_dir refuses with.
problem() {
  problems=$problems${problems:+$nl}"error $*"
}

# Refuses (exit 3) with every problem found so far, if there is one.
refuse_problems() {
  if [ -n "$problems" ]; then
    printf '%s\n' "$problems"
    exit 3
  fi
}

# Records one problem of revision $_r (`<app>/<rev>`) found by check_rev.
report_stage() {
  problem "$_r: $1 $2"
}

# Notes that check_rev found a difference.
report_differs() {
  differs=1
}

# Verifies the revisions extracted in $1 (`<app>/<rev>/...` and `<app>/<rev>.sha256`) and
# moves them into apps/; on any problem prints `error` lines, installs nothing, exits 3.
stage_dir() {
  _sd=$1
  # Exactly <app>/<rev>/... and <app>/<rev>.sha256, each rev with its list. Names were
  # checked by receive_tar; these are globs, so no process.
  problems=
  _revs=
  staged_new=
  for _p in "$_sd"/* "$_sd"/.[!.]* "$_sd"/..?*; do
    [ -e "$_p" ] || [ -L "$_p" ] || continue
    _app=${_p##*/}
    if [ -L "$_p" ] || [ ! -d "$_p" ] || ! is_name "$_app"; then
      problem "unexpected $_app"
      continue
    fi
    for _e in "$_p"/* "$_p"/.[!.]* "$_p"/..?*; do
      [ -e "$_e" ] || [ -L "$_e" ] || continue
      _e=${_e##*/}
      _r=$_app/$_e
      if [ -L "$_p/$_e" ]; then
        :
      elif [ -d "$_p/$_e" ] && is_rev "$_e"; then
        if [ -f "$_p/$_e.sha256" ]; then
          _revs="$_revs $_r"
          continue
        fi
        _r="$_r has no checksum list $_r.sha256"
      elif [ -f "$_p/$_e" ] && is_rev "${_e%.sha256}" && [ "$_e" = "${_e%.sha256}.sha256" ]; then
        if [ -d "$_p/${_e%.sha256}" ]; then continue; fi
        _r="$_r lists a revision that was not sent"
      elif [ -f "$_p/$_e" ] && is_rev "${_e%.perms}" && [ "$_e" = "${_e%.perms}.perms" ]; then
        if [ -d "$_p/${_e%.perms}" ]; then continue; fi
        _r="$_r is the permissions list of a revision that was not sent"
      fi
      problem "unexpected $_r"
    done
  done
  # One walk that catches anything but files and dirs (receive_tar let none in) and
  # makes the tree read-only: dirs 0755, files 0444 (0555 when executable). Dirs are
  # 0755 already unless the archive said otherwise: no chmod process for them then.
  find "$_sd" \( -type d \( -perm 0755 -o -exec chmod 0755 {} + \) \) -o \( -type f -perm -u+x -exec chmod 0555 {} + \) \
    -o \( -type f -exec chmod 0444 {} + \) -o -print >"$scratch"
  if [ -s "$scratch" ]; then refuse "the archive holds special files"; fi
  refuse_problems
  for _r in $_revs; do check_rev "$_sd/$_r" "$_sd/$_r.sha256" report_stage; done
  refuse_problems
  for _r in $_revs; do
    if [ -f "$_sd/$_r.perms" ]; then stage_modes "$_sd/$_r"; fi
  done
  refuse_problems

  for _r in $_revs; do
    _app=${_r%/*}
    _rev=${_r#*/}
    _dst=$D/apps/$_app
    [ -d "$_dst" ] || mkdir -p "$_dst"
    if [ -d "$_dst/$_rev" ]; then
      # Revisions are content-addressed, so a present one is kept; one modified on the
      # host is replaced by the verified copy.
      differs=0
      check_rev "$_dst/$_rev" "$_sd/$_r.sha256" report_differs
      # One with a permissions list is replaced as well: the staged copy has its modes.
      if [ "$differs" = 1 ] || [ -f "$_sd/$_r.perms" ]; then
        mv -T "$_dst/$_rev" "$_sd/$_r.modified"
        mv -T "$_sd/$_r" "$_dst/$_rev"
      fi
      mv -f "$_sd/$_r.sha256" "$_dst/$_rev.sha256"
      if [ -f "$_sd/$_r.perms" ]; then mv -f "$_sd/$_r.perms" "$_dst/$_rev.perms"; fi
    elif [ -f "$_sd/$_r.perms" ]; then
      mv -t "$_dst" -- "$_sd/$_r" "$_sd/$_r.sha256" "$_sd/$_r.perms"
      staged_new="$staged_new $_r"
    else
      # The revision and its list in one process.
      mv -t "$_dst" -- "$_sd/$_r" "$_sd/$_r.sha256"
      staged_new="$staged_new $_r"
    fi
    printf 'staged %s %s\n' "$_app" "$_rev"
  done
}

# Is $1 among the remaining arguments?
is_among() {
  _ia=$1
  shift
  for _ib; do [ "$_ib" != "$_ia" ] || return 0; done
  return 1
}

cmd_gc() {
  for _k; do is_rev "$_k" || usage "not a revision: $_k"; done
  # Revisions are hex, so the ones to keep fit in one string; the positional
  # parameters then collect what to remove, for a single `rm`.
  _keep=" $* "
  set --
  _gc_out=
  for _d in "$D"/apps/*/; do
    [ -d "$_d" ] || continue
    _d=${_d%/}
    app_links "$_d"
    _cur=$lk_cur _prv=$lk_prv
    _gc_kept=0
    for _e in "$_d"/* "$_d"/.[!.]* "$_d"/..?*; do
      [ -e "$_e" ] || [ -L "$_e" ] || continue
      _n=${_e##*/}
      _r=${_n%.sha256}
      _r=${_r%.perms}
      case $_n:$_keep in
        current:* | previous:* | "$_cur:"* | "$_cur.sha256:"* | "$_cur.perms:"* | "$_prv:"* | "$_prv.sha256:"* | "$_prv.perms:"* | *:*" $_r "*)
          _gc_kept=1
          continue
          ;;
      esac
      set -- "$@" "$_e"
      _gc_out="${_gc_out}removed apps/${_d##*/}/$_n$nl"
    done
    # An app without current or previous has been removed; its dir is empty now.
    if [ "$_gc_kept" = 0 ]; then
      set -- "$@" "$_d"
      _gc_out="${_gc_out}removed apps/${_d##*/}$nl"
    fi
  done
  # The running agent is kept; it is the installed one when its name says so.
  case ${self##*/} in
    agent-"$AGENT_VERSION"-*) _me=${self##*/} ;;
    *)
      agent_sha10 "$scratch"
      _me=agent-$AGENT_VERSION-$sha10
      ;;
  esac
  for _f in "$D"/bin/agent-* "$D"/bin/.agent.*; do
    if [ ! -e "$_f" ] || [ "${_f##*/}" = "$_me" ]; then continue; fi
    set -- "$@" "$_f"
    _gc_out="${_gc_out}removed bin/${_f##*/}$nl"
  done
  # The newest $gc_keep activations stay (the driver says how many). The order file is
  # trimmed to them only once it has twice as many lines, so most deploys need no rewrite.
  _order=$D/activations/order
  _gc_lines=0
  if [ -f "$_order" ]; then
    while IFS= read -r _a; do _gc_lines=$((_gc_lines + 1)); done <"$_order"
  fi
  _gc_kept=' '
  _gc_i=0
  if [ -f "$_order" ]; then
    while IFS= read -r _a; do
      _gc_i=$((_gc_i + 1))
      [ "$_gc_i" -le $((_gc_lines - gc_keep)) ] || _gc_kept="$_gc_kept$_a "
    done <"$_order"
  fi
  for _a in "$D"/activations/*/; do
    [ -d "$_a" ] || continue
    _a=${_a%/}
    _n=${_a##*/}
    case $_gc_kept in *" $_n "*) continue ;; esac
    set -- "$@" "$_a"
    _gc_out="${_gc_out}removed activations/$_n$nl"
  done
  if [ "$_gc_lines" -gt $((2 * gc_keep)) ]; then
    for _a in $_gc_kept; do printf '%s\n' "$_a"; done >"$_order.new"
    mv -f "$_order.new" "$_order"
  elif [ ! -f "$_order" ]; then
    : >"$_order"
  fi
  # activate's leftovers go in the same `rm` (one process fewer per deploy).
  if [ -n "${gc_tmp:-}" ]; then set -- "$@" "$gc_tmp" "$gc_tmp.tar" "$gc_tmp.list" "$gc_tmp.err" "$A/revisions"; fi
  if [ $# -gt 0 ]; then rm -rf -- "$@"; fi
  printf '%sdone\n' "$_gc_out"
}

# --- activation ---------------------------------------------------------------------------

# Calls "$1" with the tab-separated fields of line $2 as arguments.
call_fields() {
  _fl_fn=$1
  _fl_rest=$2
  set --
  while :; do
    set -- "$@" "${_fl_rest%%"$tab"*}"
    case $_fl_rest in *"$tab"*) _fl_rest=${_fl_rest#*"$tab"} ;; *) break ;; esac
  done
  "$_fl_fn" "$@"
}

# Calls "$1" with the tab-separated fields of each line of file $2 as arguments (and $n
# the line number); stops at the first call that fails. Blank lines are skipped.
each_step() {
  _es_fn=$1
  n=0
  while IFS= read -r _es_line <&3 || [ -n "$_es_line" ]; do
    n=$((n + 1))
    [ -n "$_es_line" ] || continue
    call_fields "$_es_fn" "$_es_line" || return 1
  done 3<"$2"
}

# Checks one step's shape; sets first_settle from the first verify step.
check_step() {
  err=
  _cs_op=$1
  shift
  for _cs_f; do [ -n "$_cs_f" ] || err="empty field"; done
  case $_cs_op:$# in
    flip:2 | perms:2) if ! is_name "$1" || ! is_rev "$2"; then err="bad app or revision"; fi ;;
    remove-app:1) is_name "$1" || err="bad app name" ;;
    link:3)
      if ! is_abs "$1" || ! is_abs "$2"; then err="target and value must be normalised absolute paths"; fi
      case $3 in adopt | no-adopt | replace) ;; *) err="the third field must be adopt, no-adopt or replace" ;; esac
      ;;
    unlink:1) is_abs "$1" || err="the target must be a normalised absolute path" ;;
    sysusers:0 | daemon-reload:0) ;;
    state:0) [ -f "$check_dir/state.json" ] || err="no state.json was sent" ;;
    disable:1 | enable:1 | restart:1 | reload:1) is_unit "$1" || err="bad unit name" ;;
    await:3)
      is_nonce "$1" || err="bad nonce"
      if ! is_uint "$2" || ! is_uint "$3" || [ "$2" -eq 0 ] || [ "$3" -lt "$2" ]; then err="the waits must be seconds, the verdict's at least the connection's"; fi
      ;;
    reenable:[2-9] | reenable:[1-9][0-9]*)
      case $1 in keep | reset) ;; *) err="the first field must be keep or reset" ;; esac
      shift
      for _cs_f; do is_unit "$_cs_f" || err="bad unit name"; done
      ;;
    verify:[1-9] | verify:[1-9][0-9]*)
      is_uint "$1" || err="the settle time must be milliseconds"
      [ -n "$first_settle" ] || first_settle=$1
      shift
      for _cs_f; do is_unit "$_cs_f" || err="bad unit name"; done
      ;;
    validate:[4-9] | validate:[1-9][0-9]*) check_validate "$@" ;;
    status:0) err="status needs units" ;;
    status:*) for _cs_f; do is_unit "$_cs_f" || err="bad unit name"; done ;;
    *) err="unknown step or wrong number of fields" ;;
  esac
  [ -z "$err" ] || {
    err="step $n ($_cs_op): $err"
    return 1
  }
}

# Validates the steps file in dir $1; sets first_settle (0 when there is no verify step).
check_steps() {
  check_dir=$1
  first_settle=
  each_step check_step "$1/steps" || return 1
  first_settle=${first_settle:-0}
}

log() {
  printf '%s\n' "$*" >>"$A/log"
}

# Appends an inverse to the undo journal (before the step acts: every inverse is safe to
# run whether or not its step got as far as changing anything).
undo() {
  _u=$1
  shift
  for _uf; do _u=$_u$tab$_uf; done
  printf '%s\n' "$_u" >>"$A/undo"
}

# Runs a systemd command; in a sandbox (--root) only marks the step skipped.
sd() {
  if [ -n "$ROOT" ]; then
    st=skipped
    return 0
  fi
  # Output through a file, not a command substitution: one fork fewer per command.
  if "$@" >"$scratch" 2>&1; then return 0; fi
  err="$* failed:"
  while IFS= read -r _sd_l || [ -n "$_sd_l" ]; do err="$err $_sd_l"; done <"$scratch"
  return 1
}

# Puts back unit $1's own link /etc/systemd/system/$1, value $2, that systemctl disable
# removed (it undoes `systemctl link`): unlinking is a step of its own. Only a link
# deptool made (through `current`): the one `systemctl enable` makes for an instance
# points into a fixed revision and goes with the instance.
relink_unit() {
  case $2 in
    "$D"/apps/*/current/*) [ -L "/etc/systemd/system/$1" ] || set_link "/etc/systemd/system/$1" "$2" ;;
  esac
}

# `systemctl disable --now`, keeping the unit's link (relink_unit). $2, when not empty, is
# that link's value, already read; $3, when not empty, says a daemon-reload follows.
disable_now() {
  if [ -n "${2:-}" ]; then
    _dn_was=$2
  else
    read_links "/etc/systemd/system/$1"
    _dn_was=-
    eval "_dn_was=\$rl_1"
  fi
  _dn_rc=0
  sd systemctl ${boot_nb:+"$boot_nb"} disable --now ${3:+--no-reload} "$1" || never_loaded "$1" || _dn_rc=1
  if [ -z "$ROOT" ]; then relink_unit "$1" "$_dn_was" || _dn_rc=1; fi
  return $_dn_rc
}

# After `disable --now` of unit $1 failed: true, forgetting the error, when only its stop
# failed because systemd no longer has the unit: `disable` took its file away (a unit's own
# link goes with it) and reloaded, and it was not running, so there is nothing to stop. This
# is the case at boot, where the recovery runs before the host's services have started.
never_loaded() {
  [ -z "$ROOT" ] || return 1
  systemctl show -p LoadState -p ActiveState -- "$1" >"$scratch" 2>/dev/null || return 1
  _nl=$tab
  while IFS= read -r _nl_l; do _nl=$_nl$_nl_l$tab; done <"$scratch"
  case $_nl in *"${tab}LoadState=not-found$tab"*) ;; *) return 1 ;; esac
  case $_nl in *"${tab}ActiveState=inactive$tab"*) ;; *) return 1 ;; esac
  err=
}

# deptool stops and disables only units it enabled, whose files are its own links in
# /etc/systemd/system. Anything else (the host's ssh.service, which an app could replace
# before deptool refused that) is left alone: stopping it could lock everyone out.
s_disable() {
  read_links "$ROOT/etc/systemd/system/$1"
  _sd_was=-
  eval "_sd_was=\$rl_1"
  case $_sd_was in
    "$D/"*) ;;
    *)
      log "warning not disabling $1: its unit file is not one deptool made"
      st=skipped
      return 0
      ;;
  esac
  undo enable "$1"
  disable_now "$1" "${_sd_was#"$ROOT"}"
}

# Enables units $@ from scratch against the files they have now: `systemctl disable`
# removes every enablement link of a unit, whatever its [Install] says now (and an
# instance's own link, which points into a fixed revision too); `systemctl enable` makes
# the ones [Install] asks for. Both without a reload: the activation's daemon-reload,
# which comes after when unit files changed, picks up the new links. The units' own
# links are kept (relink_unit).
reenable_units() {
  if [ -n "$ROOT" ]; then
    st=skipped
    return 0
  fi
  unit_links "$@"
  _ru_rc=0
  sd systemctl disable --no-reload -- "$@" || _ru_rc=1
  _ru_i=0
  for _ru; do
    _ru_i=$((_ru_i + 1))
    _ru_was=-
    eval "_ru_was=\$rl_$_ru_i"
    relink_unit "$_ru" "$_ru_was" || _ru_rc=1
  done
  [ "$_ru_rc" = 0 ] || return 1
  sd systemctl enable --no-reload -- "$@" || return 1
  # As in s_enable: a unit whose new file has no [Install] section is enabled by nothing,
  # and systemctl still exits 0.
  systemctl is-enabled -- "$@" >"$scratch" 2>/dev/null || true
  exec 5<"$scratch"
  for _ru; do
    _ru_st=
    IFS= read -r _ru_st <&5 || true
    if [ "$_ru_st" != enabled ]; then
      err="$err${err:+$nl}$_ru has no [Install] section (or it is not enabled: ${_ru_st:-not found}); add one, e.g. WantedBy=multi-user.target, or remove it from units_enabled"
    fi
  done
  exec 5<&-
  [ -z "$err" ]
}

# Sets rl_1, rl_2, ... to the links /etc/systemd/system/<unit> of units $@ (read_links).
unit_links() {
  _ul_n=$#
  for _ul; do set -- "$@" "/etc/systemd/system/$_ul"; done
  shift "$_ul_n"
  read_links "$@"
}

# `reenable keep|reset <unit>...`: enabled units of an app whose `current` moved. Their
# enablement links point at the file in the old revision dir, which gc removes. `keep`
# re-points them (`systemctl enable` does that for an existing link of the same name);
# when systemctl refuses (an Alias= link to the old revision is in its way), or for
# `reset` (the unit's files changed, so its [Install] section may have), reenable_units.
# The inverse is collected and run as a reset at the end of a rollback, once the old
# files are back.
s_reenable() {
  _re_mode=$1
  shift
  for _re; do undo reenable "$_re"; done
  if [ "$_re_mode" = keep ] && sd systemctl enable --no-reload -- "$@"; then return 0; fi
  err=
  reenable_units "$@"
}

# Sets _fd to app $1's dir and lk_cur and lk_prv to its links (app_links), and journals
# putting both back.
save_app_links() {
  _fd=$D/apps/$1
  app_links "$_fd"
  undo links "$1" "$lk_cur" "$lk_prv"
}

s_flip() {
  if [ ! -d "$D/apps/$1/$2" ]; then
    err="$1 $2 is not staged"
    return 1
  fi
  save_app_links "$1"
  [ "$lk_cur" != "$2" ] || return 0
  # Both new links are made in the activation's dir under their final names, then
  # renamed over the old ones by one `mv` (each rename atomic, previous first).
  if [ -L "$A/current" ] || [ -L "$A/previous" ]; then rm -f -- "$A/current" "$A/previous"; fi
  if [ "$lk_cur" = - ]; then
    ln -s -- "$2" "$A/current" && mv -t "$_fd" -- "$A/current" && return 0
  else
    ln -s -- "$lk_cur" "$A/previous" && ln -s -- "$2" "$A/current" && mv -t "$_fd" -- "$A/previous" "$A/current" && return 0
  fi
  err="cannot point apps/$1/current at $2"
  return 1
}

s_remove_app() {
  save_app_links "$1"
  rm -f -- "$_fd/current" "$_fd/previous" || {
    err="cannot remove the links of $1"
    return 1
  }
}

s_link() {
  _lt=$ROOT$1
  _lv=$ROOT$2
  if [ ! -e "$_lv" ]; then
    err="$2 does not exist"
    return 1
  fi
  if [ -L "$_lt" ]; then
    _lo=$(readlink -- "$_lt")
    [ "$_lo" != "$_lv" ] || return 0
    # `replace` (deploy --overwrite-drift) puts back a link someone re-pointed by hand.
    case $3:$_lo in
      *:"$ROOT/var/lib/deptool/"* | replace:*) ;;
      *)
        err="$1 is a symlink to $(unroot "$_lo"), not into /var/lib/deptool; remove it to let deptool manage it"
        return 1
        ;;
    esac
    undo link-restore "$_lt" "$_lo"
    set_link "$_lt" "$_lv"
  elif [ -d "$_lt" ]; then
    err="$1 is a directory"
    return 1
  elif [ -e "$_lt" ]; then
    if [ ! -f "$_lt" ]; then
      err="$1 exists and is not a regular file"
      return 1
    fi
    if [ "$3" = no-adopt ]; then
      err="$1 exists and deptool does not manage it; move it away"
      return 1
    fi
    # `replace` takes the place of a file someone put there by hand; a rollback puts it back.
    if [ "$3" = adopt ] && ! cmp -s -- "$_lt" "$_lv"; then
      err="$1 exists with different content; move it away, or make it identical to adopt it"
      return 1
    fi
    # A copy, then the link renamed over the file: the path never goes missing.
    mkdir -p "$A/adopted"
    undo link-adopted "$_lt" "$A/adopted/$n"
    cp -a -- "$_lt" "$A/adopted/$n" || {
      err="cannot save $1"
      return 1
    }
    set_link "$_lt" "$_lv"
  else
    # The topmost parent dir this step creates, so the inverse removes exactly those.
    _ltop=-
    _lp=${_lt%/*}
    while [ -n "$_lp" ] && [ ! -d "$_lp" ]; do
      _ltop=$_lp
      _lp=${_lp%/*}
    done
    undo link-remove "$_lt" "$_ltop"
    mkdir -p -- "${_lt%/*}" || {
      err="cannot create $(unroot "${_lt%/*}")"
      return 1
    }
    set_link "$_lt" "$_lv"
  fi
}

s_unlink() {
  _ut=$ROOT$1
  if [ -L "$_ut" ]; then
    _uo=$(readlink -- "$_ut")
    case $_uo in
      "$ROOT/var/lib/deptool/"*) ;;
      *)
        log "warning $1 points to $(unroot "$_uo"), not into /var/lib/deptool; left in place"
        return 0
        ;;
    esac
    undo relink "$_ut" "$_uo"
    rm -f -- "$_ut" || {
      err="cannot remove $1"
      return 1
    }
    # A unit's drop-in dir (/etc/systemd/system/<unit>.d) goes with its last file.
    case ${_ut%/*} in
      "$ROOT/etc/systemd/system/"*.d) rmdir -- "${_ut%/*}" 2>/dev/null || true ;;
    esac
  elif [ -e "$_ut" ]; then
    log "warning $1 is not a symlink; left in place"
  fi
}

s_enable() {
  _en_was=
  if [ -z "$ROOT" ]; then _en_was=$(systemctl is-enabled "$1" 2>/dev/null) || true; fi
  # After the activation's daemon-reload no other reload is needed, and the rollback
  # reloads after its undo (its inverse is in the journal).
  [ "$_en_was" = enabled ] || undo disable "$1" ${reloaded:+no-reload}
  # Zeroes NRestarts, which verify expects of a unit this activation started.
  sd systemctl reset-failed "$1" || true
  if ! sd systemctl enable --now ${reloaded:+--no-reload} "$1"; then
    log_unit_failure "$1"
    return 1
  fi
  [ -z "$ROOT" ] || return 0
  # `systemctl enable` of a unit without an [Install] section enables nothing and
  # still exits 0, after a long explanation.
  _en_now=$(systemctl is-enabled "$1" 2>/dev/null) || true
  if [ "$_en_now" != enabled ]; then
    err="$1 has no [Install] section (or it is not enabled: $_en_now); add one, e.g. WantedBy=multi-user.target, or remove it from units_enabled"
    return 1
  fi
}

s_restart() {
  undo restart "$1"
  # A manual restart zeroes NRestarts, as verify expects. A unit that hit its start
  # limit refuses to start: only then are reset-failed and a second try needed
  # (systemctl costs ~9 ms of host CPU a call).
  sd systemctl restart "$1" && return 0
  sd systemctl reset-failed "$1" || true
  sd systemctl restart "$1" && return 0
  log_unit_failure "$1"
  return 1
}

# A host unit the app does not own (`units_reloaded`): reloaded, and again by the rollback
# (collected with the restarts). A reload keeps NRestarts, which verify reads as restarts during
# the settle time: reset-failed zeroes it, as a restart would.
s_reload() {
  undo reload "$1"
  sd systemctl reset-failed "$1" || true
  sd systemctl reload "$1" && return 0
  log_unit_failure "$1"
  return 1
}

# `await <nonce> <connect-seconds> <verdict-seconds>`, once the units are (re)started: from here
# the activation waits for the driver's verdict, which the `confirm` command brings. A new
# connection must bring it (or at least arrive: `connected`) within connect-seconds, and the
# verdict must come within verdict-seconds (the driver's checks run in between). verify waits,
# polling its units meanwhile; the log line tells the driver to start.
s_await() {
  if [ -n "$ROOT" ]; then
    st=skipped
    return 0
  fi
  now_ms
  aw_connect=$((ms + $2 * 1000)) aw_verdict=$((ms + $3 * 1000))
  aw_connect_s=$2 aw_verdict_s=$3
  : >"$A/awaiting"
  log "confirm await"
}

# Where the driver's verdict stands at time $ms, after an `await` step: cf is `wait` while it
# may still come, `ok` once it did, empty when there is none to wait for. A rejection or a
# missed deadline sets cf_why to why.
confirm_state() {
  cf=
  [ -n "$aw_verdict" ] || return 0
  if [ -e "$A/confirmed" ]; then
    cf=ok
  elif [ -e "$A/rejected" ]; then
    first_line "$A/reason"
    cf_why="the driver rejected the activation: $fl"
  elif [ ! -e "$A/connected" ] && [ "$ms" -ge "$aw_connect" ]; then
    cf_why="no new SSH connection confirmed the activation within $aw_connect_s s; can the deploy user still log in (sshd, its config, the network)?"
  elif [ "$ms" -ge "$aw_verdict" ]; then
    cf_why="the driver did not confirm the activation within $aw_verdict_s s"
  else
    cf='wait'
  fi
}

# Ends the wait (a `confirm` that comes later is told it ended) and logs what the verdict brought
# (the driver's check results, then `confirm ok`), once: a verify after this one (the rollback's)
# waits for nothing.
confirm_log() {
  : >"$A/awaited"
  if [ -f "$A/checks" ]; then
    while IFS= read -r _cl_l; do
      case $_cl_l in 'check '*) log "$_cl_l" ;; esac
    done <"$A/checks"
  fi
  if [ "$cf" = ok ]; then log "confirm ok"; fi
  aw_verdict=
}

# Logs the state and the `systemctl status` (with its last journal lines) of unit $1, whose
# start failed (an ExecStartPre config check, a Type=notify service that never got ready):
# why it failed is the first thing the operator needs.
log_unit_failure() {
  _lu_err=$err
  units_state "$1"
  unit_state 1
  log "unit $1 $us_active $us_sub $us_result $us_restarts failed"
  log_status "$1"
  err=$_lu_err
}

s_state() {
  err="cannot install state.json"
  if [ -f "$D/state.json" ]; then
    # A second name keeps the old one once the rename below replaces it: no copy.
    ln -f "$D/state.json" "$A/state.old" || return 1
    undo state saved
  else
    undo state none
  fi
  mv -f "$A/state.json" "$D/state.json" || return 1
  err=
}

# Gives the files of revision $2 of app $1 the owners and groups of its permissions list (the
# modes were set at staging): one chown per distinct owner:group. No inverse: the revision is
# new or identical, and the one a rollback flips back to keeps its own owners.
s_perms() {
  _ps_dir=$D/apps/$1/$2
  if [ ! -d "$_ps_dir" ] || [ ! -f "$_ps_dir.perms" ]; then
    err="$1 $2 has no permissions list on the host (apps/$1/$2.perms)"
    return 1
  fi
  if [ -n "$ROOT" ]; then
    st=skipped
    return 0
  fi
  _ps_specs=$nl
  while IFS= read -r _ps_l || [ -n "$_ps_l" ]; do
    perm_fields "$_ps_l" || continue
    perm_spec
    if [ -n "$_ps_s" ]; then
      case $_ps_specs in *"$nl$_ps_s$nl"*) ;; *) _ps_specs=$_ps_specs$_ps_s$nl ;; esac
    fi
  done <"$_ps_dir.perms"
  for _ps_want in $_ps_specs; do
    set --
    while IFS= read -r _ps_l || [ -n "$_ps_l" ]; do
      perm_fields "$_ps_l" || continue
      perm_spec
      if [ "$_ps_s" = "$_ps_want" ]; then set -- "$@" "$_ps_dir/$pp"; fi
    done <"$_ps_dir.perms"
    # -h: a symlink put there by hand must not hand its target to the service user.
    if ! chown -h -- "$_ps_want" "$@" >"$scratch" 2>&1; then
      perms_failure "$_ps_want"
      return 1
    fi
  done
}

# Sets _ps_s to chown's owner[:group] for the fields perm_fields set (`:group` for a group
# alone; empty when the line sets only a mode).
perm_spec() {
  _ps_s=
  if [ "$po" != - ]; then _ps_s=$po; fi
  if [ "$pg" != - ]; then _ps_s=$_ps_s:$pg; fi
}

# Sets err for a chown to $1 that failed: a user or group that does not exist is named, with
# how to create it (getent only runs on this failure path).
perms_failure() {
  _pf_o=${1%%:*}
  _pf_g=
  case $1 in *:*) _pf_g=${1#*:} ;; esac
  if [ -n "$_pf_o" ] && ! is_uint "$_pf_o" && ! getent passwd "$_pf_o" >/dev/null; then
    err="user $_pf_o does not exist on the host; create it, e.g. with a line 'u $_pf_o -' in a file of the app's sysusers/ directory"
  elif [ -n "$_pf_g" ] && ! is_uint "$_pf_g" && ! getent group "$_pf_g" >/dev/null; then
    err="group $_pf_g does not exist on the host; create it, e.g. with a line 'g $_pf_g -' in a file of the app's sysusers/ directory"
  else
    err="chown $1 failed:"
    while IFS= read -r _pf_l || [ -n "$_pf_l" ]; do err="$err $_pf_l"; done <"$scratch"
  fi
}

# Reads the states of units $@ with one `systemctl show` (it prints one block of
# properties per unit, in order, separated by empty lines): sets us_<n> (n counting
# from 1) to "<ActiveState> <SubState> <Result> <NRestarts> <Type>", `-` for an empty
# property. systemctl prints the properties in its own order, so they are matched by key.
units_state() {
  systemctl show -p ActiveState -p SubState -p Result -p NRestarts -p Type -- "$@" >"$scratch" 2>/dev/null || true
  _us_i=0
  for _us_u; do
    _us_i=$((_us_i + 1))
    eval "us_$_us_i='- - - 0 -'"
  done
  _us_i=1
  _us_a=- _us_s=- _us_r=- _us_n=0 _us_t=- _us_seen=0
  while IFS='=' read -r _us_k _us_v || [ -n "$_us_k" ]; do
    case $_us_k in
      '')
        if [ "$_us_seen" = 1 ]; then eval "us_$_us_i=\"\$_us_a \$_us_s \$_us_r \$_us_n \$_us_t\""; fi
        _us_i=$((_us_i + 1))
        _us_a=- _us_s=- _us_r=- _us_n=0 _us_t=- _us_seen=0
        ;;
      ActiveState) _us_a=${_us_v:--} _us_seen=1 ;;
      SubState) _us_s=${_us_v:--} _us_seen=1 ;;
      Result) _us_r=${_us_v:--} _us_seen=1 ;;
      NRestarts) _us_n=${_us_v:-0} _us_seen=1 ;;
      Type) _us_t=${_us_v:--} _us_seen=1 ;;
    esac
  done <"$scratch"
  if [ "$_us_seen" = 1 ]; then eval "us_$_us_i=\"\$_us_a \$_us_s \$_us_r \$_us_n \$_us_t\""; fi
}

# Sets us_active, us_sub, us_result, us_restarts and us_type from us_$1 (units_state).
unit_state() {
  us_active=- us_sub=- us_result=- us_restarts=0 us_type=-
  eval "set -- \$us_$1"
  us_active=$1 us_sub=$2 us_result=$3 us_restarts=$4 us_type=$5
}

oneshot_done() {
  [ "$us_type" = oneshot ] && [ "$us_active" = inactive ] && [ "$us_result" = success ]
}

# A sign of trouble at any moment of the settle time. Every unit verify looks at was
# (re)started by this activation, which zeroes NRestarts: any restart is systemd's.
unit_broken() {
  case $us_active in
    failed) return 0 ;;
    inactive) if oneshot_done; then return 1; else return 0; fi ;;
  esac
  [ "$us_sub" = auto-restart ] || [ "$us_restarts" != 0 ]
}

unit_healthy() {
  [ "$us_active" = active ] || oneshot_done
}

log_status() {
  systemctl status --no-pager --full --lines=10 "$1" >"$scratch" 2>&1 || true
  print_counted "status $1" "$scratch" >>"$A/log"
}

s_verify() {
  _vs=$1
  shift
  if [ -n "$ROOT" ]; then
    st=skipped
    for _vu; do log "unit $_vu skipped"; done
    return 0
  fi
  now_ms
  _vend=$((ms + _vs))
  _vbad=$tab
  cf_why=
  # Until the settle time is over and, after an `await` step, the driver's verdict has come.
  # Units are polled every 0.1 s during the settle time, then once a second while only the
  # verdict is awaited (systemctl costs host CPU, and a busy fleet's logins take seconds), and
  # once more when it comes.
  _vpoll=0
  while :; do
    _vfresh=0
    if [ "$ms" -ge "$_vpoll" ]; then
      if [ $# -gt 0 ]; then units_state "$@"; fi
      _vi=0
      for _vu; do
        _vi=$((_vi + 1))
        unit_state "$_vi"
        if unit_broken; then _vbad=$_vbad$_vu$tab; fi
      done
      _vfresh=1
      if [ "$ms" -ge "$_vend" ]; then _vpoll=$((ms + 1000)); fi
    fi
    now_ms
    confirm_state
    if [ "$_vbad" != "$tab" ] || [ "$term" != 0 ] || [ -n "$cf_why" ]; then break; fi
    if [ "$ms" -ge "$_vend" ] && [ "$cf" != wait ]; then
      if [ "$_vfresh" = 1 ]; then break; fi
      _vpoll=0
      continue
    fi
    sleep 0.1
  done
  [ -z "$aw_verdict" ] || confirm_log
  # The states logged are those of the last poll, which ended the settle time.
  _vrc=0
  _vi=0
  for _vu; do
    _vi=$((_vi + 1))
    unit_state "$_vi"
    case $_vbad in
      *"$tab$_vu$tab"*) _vwhy="$_vu failed during the settle time" ;;
      *)
        if unit_healthy; then
          log "unit $_vu $us_active $us_sub $us_result $us_restarts healthy"
          continue
        fi
        _vwhy="$_vu is not healthy"
        ;;
    esac
    log "unit $_vu $us_active $us_sub $us_result $us_restarts failed"
    _vrc=1
    err="$err${err:+$nl}$_vwhy ($us_active/$us_sub, result $us_result, $us_restarts restarts)"
    log_status "$_vu"
  done
  if [ -n "$cf_why" ]; then
    err="$err${err:+$nl}$cf_why"
    _vrc=1
  fi
  if [ "$term" != 0 ]; then
    err="$err${err:+$nl}activation timed out or was stopped"
    _vrc=1
  fi
  return $_vrc
}

# The shape of `validate <app> <rev> <seconds> <program> [<arg>...]` (check_step): the program an
# absolute path, no argument with a control character (the manifest refuses them too).
check_validate() {
  if ! is_name "$1" || ! is_rev "$2"; then
    err="bad app or revision"
  elif ! is_uint "$3" || [ ${#3} -gt 5 ] || [ "$3" -eq 0 ]; then
    err="the time limit must be whole seconds"
  elif ! is_abs "$4"; then
    err="the program must be a normalised absolute path"
  else
    for _cv; do
      case $_cv in *[[:cntrl:]]*) err="an argument holds a control character" ;; esac
    done
  fi
}

# `validate <app> <rev> <seconds> <program> [<arg>...]`: a command of the app's manifest, run on
# revision <rev> before any step changes anything (the driver sends these first). `{rev}` in an
# argument becomes the revision's directory. As root, without a shell, from /, with nothing on
# stdin, stopped after <seconds> (KILLed 5 s later). When it fails, its last 20 lines of output
# (each cut at 500 bytes) go into the log, byte-counted: `output <n> <byte count>`.
s_validate() {
  _va_dir=$D/apps/$1/$2
  if [ ! -d "$_va_dir" ]; then
    err="$1 $2 is not staged"
    return 1
  fi
  _va_app=$1
  _va_secs=$3
  shift 3
  _va_shown=$*
  _va_k=$#
  for _va; do
    _va_arg=
    while :; do
      case $_va in
        *'{rev}'*)
          _va_arg=$_va_arg${_va%%"{rev}"*}$_va_dir
          _va=${_va#*"{rev}"}
          ;;
        *) break ;;
      esac
    done
    set -- "$@" "$_va_arg$_va"
  done
  shift "$_va_k"
  cd /
  _va_rc=0
  timeout -k 5 "$_va_secs" "$@" </dev/null >"$A/validate.out" 2>&1 || _va_rc=$?
  [ "$_va_rc" != 0 ] || return 0
  case $_va_rc in
    124 | 137) _va_why="did not finish within $_va_secs s" ;;
    126 | 127) _va_why="could not be run (exit status $_va_rc)" ;;
    *) _va_why="exited with status $_va_rc" ;;
  esac
  validate_failed=1
  err="validate $_va_app: $_va_shown $_va_why"
  tail -n 20 -- "$A/validate.out" | cut -b 1-500 >"$A/validate.tail" || true
  print_counted "output $n" "$A/validate.tail" >>"$A/log"
  return 1
}

s_status() {
  if [ -n "$ROOT" ]; then
    st=skipped
    return 0
  fi
  for _su; do log_status "$_su"; done
}

run_step() {
  st=ok
  err=
  if [ "$term" != 0 ]; then
    err="activation timed out or was stopped"
    return 1
  fi
  _rs_op=$1
  shift
  case $_rs_op in
    flip) s_flip "$1" "$2" ;;
    remove-app) s_remove_app "$1" ;;
    link) s_link "$1" "$2" "$3" ;;
    unlink) s_unlink "$1" ;;
    sysusers) sd systemd-sysusers ;;
    perms) s_perms "$1" "$2" ;;
    daemon-reload)
      undo daemon-reload
      sd systemctl daemon-reload && reloaded=1
      ;;
    disable) s_disable "$1" ;;
    enable) s_enable "$1" ;;
    reenable) s_reenable "$@" ;;
    restart) s_restart "$1" ;;
    reload) s_reload "$1" ;;
    await) s_await "$@" ;;
    verify) s_verify "$@" ;;
    status) s_status "$@" ;;
    validate) s_validate "$@" ;;
    state) s_state ;;
  esac
}

log_errors() {
  printf '%s\n' "${err:-unexpected failure}" | while IFS= read -r _le; do log "error $_le"; done
}

do_step() {
  if run_step "$@"; then
    log "step $n $1 $st"
    return 0
  fi
  log "step $n $1 failed"
  log_errors
  return 1
}

# Runs one inverse from the journal.
undo_one() {
  err=
  case $1 in
    links) restore_link "$D/apps/$2/current" "$3" && restore_link "$D/apps/$2/previous" "$4" ;;
    link-restore) set_link "$2" "$3" ;;
    link-adopted)
      [ -f "$3" ] || return 0
      _uo_tmp=${2%/*}/.${2##*/}.deptool-$$
      if ! { cp -a -- "$3" "$_uo_tmp" && mv -T -- "$_uo_tmp" "$2"; }; then err="cannot put $(unroot "$2") back from $3"; fi
      ;;
    link-remove)
      if [ -L "$2" ]; then rm -f -- "$2"; fi
      _uo_d=${2%/*}
      while [ "$3" != - ] && rmdir -- "$_uo_d" 2>/dev/null && [ "$_uo_d" != "$3" ]; do _uo_d=${_uo_d%/*}; done
      ;;
    relink) mkdir -p -- "${2%/*}" && set_link "$2" "$3" ;;
    enable)
      sd systemctl reset-failed "$2" || true
      sd systemctl ${boot_nb:+"$boot_nb"} enable --now "$2" && printf '%s\n' "$2" >>"$A/rollback.units"
      ;;
    disable)
      # A unit the activation started and that failed stays `failed` after it is stopped,
      # and would leave the host degraded (refused by the next deploy): clear that too.
      disable_now "$2" '' "$3"
      _uo_err=$err
      sd systemctl reset-failed "$2" || true
      err=$_uo_err
      ;;
    state)
      if [ "$2" = saved ]; then
        cp -p "$A/state.old" "$D/.state.json.new" && mv -f "$D/.state.json.new" "$D/state.json"
      else
        rm -f -- "$D/state.json"
      fi
      ;;
  esac
  [ -z "$err" ]
}

# The inverses of `reenable`, collected by rollback: once `current` and the links are
# back, the units are enabled from scratch against the old files (a reset), so their
# enablement links are the old ones again, pointing into the old revision.
rollback_reenable() {
  [ -f "$A/rollback.reenable" ] || return 0
  set --
  while IFS= read -r _rr; do set -- "$@" "$_rr"; done <"$A/rollback.reenable"
  err=
  reenable_units "$@" && return 0
  printf '%s\n' "$err" | while IFS= read -r _rr; do log "warning undo reenable $* failed: $_rr"; done
  return 1
}

# Undoes the journal backwards. Restarts are collected and run last, after reset-failed
# (the failed attempt may have hit the start limit), once everything else is back; one
# daemon-reload before them picks up the restored unit files. Then verifies the units.
rollback() {
  log "rollback begin"
  # A rollback after a timeout still runs to its end (systemd allows TimeoutStopSec), and waits
  # for no verdict.
  term=0
  aw_verdict=
  _rb_rc=0
  _rb_reload=0
  # At boot (recovery before sysinit.target) the services have not started yet: they start
  # with the host, on the files put back here, so there is nothing to restart or verify,
  # and no start or stop may wait for its job.
  [ "$recovering" != boot ] || boot_nb=--no-block
  : >"$A/rollback.units"
  tac "$A/undo" >"$A/undo.reversed"
  while IFS="$tab" read -r _rb_op _rb_a _rb_b _rb_c <&4; do
    case $_rb_op in
      restart) printf '%s\n' "$_rb_a" >>"$A/rollback.restart" ;;
      reload) printf '%s\n' "$_rb_a" >>"$A/rollback.reload" ;;
      reenable) printf '%s\n' "$_rb_a" >>"$A/rollback.reenable" ;;
      daemon-reload) _rb_reload=1 ;;
      *)
        if ! undo_one "$_rb_op" "$_rb_a" "$_rb_b" "$_rb_c"; then
          log "warning undo $_rb_op $(unroot "$_rb_a") failed: $err"
          _rb_rc=1
        fi
        ;;
    esac
  done 4<"$A/undo.reversed"
  rollback_reenable || _rb_rc=1
  if [ "$_rb_reload" = 1 ] && ! sd systemctl daemon-reload; then
    log "warning $err"
    _rb_rc=1
  fi
  if [ -f "$A/rollback.restart" ] && [ "$recovering" != boot ]; then
    sort -u "$A/rollback.restart" | while IFS= read -r _rb_u; do
      # A unit this activation added is gone again after the rollback: nothing to restart.
      if [ -z "$ROOT" ] && [ "$(systemctl show -p LoadState --value "$_rb_u")" = not-found ]; then continue; fi
      sd systemctl reset-failed "$_rb_u" || true
      # Verified below either way: a unit that did not restart fails its verify.
      sd systemctl restart "$_rb_u" || log "warning $err"
      printf '%s\n' "$_rb_u" >>"$A/rollback.units"
    done
  fi
  if [ -f "$A/rollback.reload" ] && [ "$recovering" != boot ]; then
    sort -u "$A/rollback.reload" | while IFS= read -r _rb_u; do
      sd systemctl reset-failed "$_rb_u" || true
      sd systemctl reload "$_rb_u" || log "warning $err"
      printf '%s\n' "$_rb_u" >>"$A/rollback.units"
    done
  fi
  set --
  sort -u "$A/rollback.units" >"$A/rollback.verify"
  while IFS= read -r _rb_u; do set -- "$@" "$_rb_u"; done <"$A/rollback.verify"
  if [ $# -gt 0 ] && [ "$recovering" != boot ]; then
    err=
    if ! s_verify "$first_settle" "$@"; then
      log_errors
      _rb_rc=1
    fi
  fi
  log "rollback end"
  return $_rb_rc
}

cmd_run_activation() {
  A=$D/activations/$1
  if [ ! -f "$A/steps" ] || [ -e "$A/result" ]; then usage "no pending activation $1"; fi
  # Its own: run-activation may outlive the session whose lock guards $D/scratch.
  scratch=$A/scratch
  exec 8>>"$D/activation.lock"
  flock -n 8 || usage "another activation is running"
  # systemd stops the unit with SIGTERM when TimeoutStartSec is over: finish the current
  # command, then roll back instead of dying half-way.
  term=0
  reloaded=
  trap 'term=1' TERM INT HUP
  : >"$A/undo"
  _ra_result=ok
  if ! check_steps "$A"; then
    log "error $err"
    _ra_result=failed
  elif ! each_step do_step "$A/steps"; then
    # A validate command said no before any step changed anything: the host refuses the change.
    if [ "$validate_failed" = 1 ] && [ ! -s "$A/undo" ]; then
      _ra_result=refused
    elif rollback; then _ra_result=rolled-back; else _ra_result=failed; fi
  fi
  printf '%s\n' "$_ra_result" >"$A/result.new"
  mv -f "$A/result.new" "$A/result"
}

# Sets first_settle to the settle time of the first verify step in file $1 (0 without one).
settle_of() {
  first_settle=
  each_step first_verify "$1" || true
  first_settle=${first_settle:-0}
}

first_verify() {
  [ "$1" = verify ] && [ -z "$first_settle" ] || return 0
  first_settle=$2
  return 1
}

# Rolls back activation $1, which ended without a result (its unit was killed, the host lost
# power), from its undo journal: the same inverses, run backwards, as a failed step's
# rollback. $2 says who found it: `session` (the next deploy's, in a transient unit) or
# `boot` (the boot unit, before the host's services start). Deterministic, and safe to run
# again if it is itself cut off: every inverse puts back a recorded value.
cmd_recover() {
  A=$D/activations/$1
  [ -f "$A/steps" ] || usage "no activation $1"
  scratch=$A/scratch
  exec 8>>"$D/activation.lock"
  flock -n 8 || usage "another activation is running"
  [ ! -f "$A/result" ] || return 0
  recovering=$2
  term=0
  trap 'term=1' TERM INT HUP
  [ -f "$A/undo" ] || : >"$A/undo"
  settle_of "$A/steps"
  log "recover $2"
  if rollback; then _rc_result=rolled-back; else _rc_result=failed; fi
  printf '%s\n' "$2" >"$A/recovered"
  printf '%s\n' "$_rc_result" >"$A/result.new"
  mv -f "$A/result.new" "$A/result"
}

# At boot (the boot unit): undoes the newest activation if it never finished.
cmd_boot() {
  last_activation
  if [ -n "$last" ] && [ -f "$D/activations/$last/steps" ] && [ ! -f "$D/activations/$last/result" ]; then
    cmd_recover "$last" boot
  fi
}

# Prints activation $1's log (unless $2 is `streamed`: activate printed it already) and its result.
print_result() {
  _pr=$D/activations/$1
  if [ "${2:-}" != streamed ] && [ -f "$_pr/log" ]; then cat "$_pr/log"; fi
  if [ -f "$_pr/result" ]; then
    read -r _pr_r <"$_pr/result"
  else
    _pr_why=
    if [ -s "$_pr/run.err" ]; then _pr_why=": $(oneline "$(cat "$_pr/run.err")")"; fi
    printf 'error activation %s ended without a result%s\n' "$1" "$_pr_why"
    _pr_r=failed
  fi
  printf 'result %s\n' "$_pr_r"
}

cmd_activate() {
  is_id "$1" || usage "bad activation id: $1"
  if ! is_uint "$2" || [ "$2" -eq 0 ]; then usage "bad timeout: $2"; fi
  if ! is_uint "$3" || [ "$3" -eq 0 ]; then usage "bad number of activations to keep: $3"; fi
  gc_keep=$3
  A=$D/activations/$1
  [ ! -e "$A" ] || refuse "activation $1 exists"
  x=$D/tmp/activate.$$
  # The staged revisions' leftovers (empty dirs) go at the end, in the same `rm`.
  trap 'rm -rf -- "$x" "$x.tar" "$x.list" "$x.err" "$A/revisions" ${dry_dir:+"$dry_dir"}' EXIT
  receive_tar "$x"
  for _f in "$x"/* "$x"/.[!.]* "$x"/..?*; do
    [ -e "$_f" ] || [ -L "$_f" ] || continue
    case ${_f##*/} in
      steps | state.json) [ -f "$_f" ] || refuse "${_f##*/} is not a file" ;;
      revisions) [ -d "$_f" ] || refuse "revisions is not a directory" ;;
      *) refuse "unexpected ${_f##*/} in the activation" ;;
    esac
  done
  [ -f "$x/steps" ] || refuse "no steps were sent"
  check_steps "$x" || refuse "$err"
  if [ -n "$dry_dir" ]; then each_step mirror_step "$x/steps" || refuse "$err"; fi
  # Revisions sent along are staged first: one round trip instead of two.
  if [ -d "$x/revisions" ]; then stage_dir "$x/revisions"; fi
  mv -T "$x" "$A"
  printf '%s\n' "$1" >>"$D/activations/order"
  _pr_log=
  if [ -n "$ROOT" ]; then
    /bin/sh "$self" --root "$ROOT" run-activation "$1" </dev/null >/dev/null 2>"$A/run.err" || true
  else
    # In a transient unit, so that a dropped connection cannot stop it half-way. On
    # timeout, KillMode=mixed sends SIGTERM to run-activation only: with the default,
    # systemd keeps signalling the unit's new processes for a moment too, which would
    # kill the first commands of the rollback.
    # The log is streamed while the unit runs, so the driver can show progress (a
    # rollback, say) as it happens. tail reads the file once more after systemd-run has
    # ended, so what it printed is the complete log (the log is only appended to).
    : >>"$A/log"
    systemd-run --unit "deptool-activate-$1" --collect --wait --quiet --service-type=oneshot \
      -p "TimeoutStartSec=$2" -p KillMode=mixed /bin/sh "$self" run-activation "$1" </dev/null >/dev/null 2>"$A/run.err" &
    _sr=$!
    tail -n +1 -s 0.05 -f --pid="$_sr" "$A/log"
    # Ends a last line that had no newline (a killed activation's), so `result` starts its own.
    printf '\n'
    wait "$_sr" || true
    _pr_log=streamed
  fi
  # A refused activation changed nothing, and leaves nothing: its revisions go before the driver hears.
  first_line "$A/result"
  if [ "$fl" = refused ]; then unstage; fi
  print_result "$1" "$_pr_log"
  # After a success, what is neither current nor previous goes: one round trip fewer.
  if [ "$_pr_r" = ok ] && [ -z "$dry_dir" ]; then
    gc_tmp=$x
    cmd_gc >/dev/null
    trap - EXIT
  fi
}

# After a refused activation: the revisions its input staged (stage_dir's staged_new) go again,
# with app dirs made for them, so the host is as it was.
unstage() {
  [ -n "$staged_new" ] || return 0
  set --
  for _r in $staged_new; do set -- "$@" "$D/apps/$_r" "$D/apps/$_r.sha256" "$D/apps/$_r.perms"; done
  rm -rf -- "$@"
  set --
  for _r in $staged_new; do set -- "$@" "$D/apps/${_r%/*}"; done
  rmdir --ignore-fail-on-non-empty -- "$@" 2>/dev/null || true
}

# --- dry run ------------------------------------------------------------------------------------

# `dry-run <id> <timeout>` on a session: activation <id>, its input the rest of stdin, run as
# `activate` does under --root, with a scratch root ($D/dryrun/<id>, 0700) as the root. The
# scratch root holds the host's apps (links to its revisions, current and previous as they are)
# and, before the steps run, copies of what the host has at each target the steps link or
# unlink (mirror_step): so staging, links, adoption and validate commands run for real, and
# systemctl, chown and systemd-sysusers do not. Nothing outside the scratch root changes, and
# it is removed when the session exits (or by the next session, if this one is killed).
cmd_dry_run() {
  is_id "$1" || usage "bad activation id: $1"
  dry_dir=$D/dryrun
  dry_real=$ROOT
  trap 'rm -rf -- "$dry_dir"' EXIT
  mkdir -m 0700 -- "$dry_dir"
  _dr_apps=$D/apps
  ROOT=$dry_dir/$1
  D=$ROOT/var/lib/deptool
  scratch=$D/scratch
  mkdir -p -- "$D/apps" "$D/activations" "$D/tmp"
  mirror_apps "$_dr_apps"
  printf 'dry-run %s\n' "${ROOT#"$dry_real"}"
  cmd_activate "$1" "$2" 1
}

# Puts the host's apps (apps dir $1) into the scratch root: per app, a link to each of its
# revisions and lists, and copies of its current and previous links (relative, so they point
# at those links).
mirror_apps() {
  for _ma in "$1"/*/; do
    [ -d "$_ma" ] || continue
    _ma=${_ma%/}
    _ma_to=$D/apps/${_ma##*/}
    mkdir -- "$_ma_to"
    set --
    for _ma_e in "$_ma"/*; do
      case ${_ma_e##*/} in
        current | previous) ;;
        *) if [ -e "$_ma_e" ]; then set -- "$@" "$_ma_e"; fi ;;
      esac
    done
    if [ $# -gt 0 ]; then ln -s -t "$_ma_to" -- "$@"; fi
    set --
    for _ma_e in current previous; do
      if [ -L "$_ma/$_ma_e" ]; then set -- "$@" "$_ma/$_ma_e"; fi
    done
    if [ $# -gt 0 ]; then cp -P -- "$@" "$_ma_to/"; fi
  done
}

# What the host has at the target of a link or unlink step (and at the unit file of a disable
# step), copied into the scratch root: a symlink as it is (into the scratch root when it points
# into /var/lib/deptool), a regular file with its content and mode (for adoption), a directory
# as an empty one, anything else as a fifo. Nothing when the host has nothing there.
mirror_step() {
  case $1 in
    link | unlink) mirror_target "$2" ;;
    disable) mirror_target "/etc/systemd/system/$2" ;;
  esac
}

mirror_target() {
  _mt=$dry_real$1
  _ms=$ROOT$1
  if [ -L "$_ms" ] || [ -e "$_ms" ]; then return 0; fi
  if [ -L "$_mt" ]; then
    read_links "$_mt"
    eval "_mt=\$rl_1"
    case $_mt in "$dry_real/var/lib/deptool/"*) _mt=$ROOT/var/lib/deptool/${_mt#"$dry_real/var/lib/deptool/"} ;; esac
    mkdir -p -- "${_ms%/*}" && ln -s -- "$_mt" "$_ms" && return 0
  elif [ -d "$_mt" ]; then
    mkdir -p -- "$_ms" && return 0
  elif [ -f "$_mt" ]; then
    mkdir -p -- "${_ms%/*}" && cp -p -- "$_mt" "$_ms" && return 0
  elif [ -e "$_mt" ]; then
    mkdir -p -- "${_ms%/*}" && mkfifo -- "$_ms" && return 0
  else
    return 0
  fi
  err="the dry run cannot copy $1 into its scratch root"
  return 1
}

cmd_result() {
  is_id "$1" || usage "bad activation id: $1"
  is_uint "$2" || usage "bad wait: $2"
  [ -d "$D/activations/$1" ] || refuse "no activation $1"
  wait_activation "$1" "$2" || refuse "activation $1 is still running after $2 s"
  print_result "$1"
}

# `confirm <id> <nonce> <wait-seconds>`: the driver's verdict on activation <id>, which awaits it
# (see s_await), over a new connection: that this command runs at all proves a new login works.
# No --session: the activation's own session holds the lock, and the nonce (from its steps)
# says who may confirm. Prints `connected`, then reads `check <result>` lines (logged with the
# verdict) and `ok` or `reject <why>`. A connection that ends before the verdict leaves the
# activation waiting for another one until its deadline. Builtins only.
cmd_confirm() {
  is_id "$1" || usage "bad activation id: $1"
  is_nonce "$2" || usage "bad nonce"
  is_uint "$3" || usage "bad wait: $3"
  A=$D/activations/$1
  [ -f "$A/steps" ] || refuse "no activation $1"
  _cn=
  while IFS="$tab" read -r _cn_op _cn_v _; do
    if [ "$_cn_op" = await ]; then
      _cn=$_cn_v
      break
    fi
  done <"$A/steps"
  if [ -z "$_cn" ] || [ "$_cn" != "$2" ]; then refuse "activation $1 does not await this confirmation"; fi
  # A driver that reconnected after a dropped connection may come before the activation awaits.
  now_ms
  _cn_end=$((ms + $3 * 1000))
  until [ -e "$A/awaiting" ] || [ -e "$A/result" ]; do
    now_ms
    [ "$ms" -lt "$_cn_end" ] || refuse "activation $1 did not reach its await step within $3 s"
    sleep 0.1
  done
  # Too late: the activation no longer waits (it rolls back, or has ended).
  if [ -e "$A/awaited" ] || [ -e "$A/result" ]; then
    _cn_r=running
    if [ -e "$A/result" ]; then
      first_line "$A/result"
      _cn_r=$fl
    fi
    printf 'ended %s\n' "$_cn_r"
    return 0
  fi
  : >"$A/checks"
  : >"$A/connected"
  printf 'connected\n'
  while IFS= read -r _cn_l; do
    case $_cn_l in
      'check '*) printf '%s\n' "$_cn_l" >>"$A/checks" ;;
      ok)
        : >"$A/confirmed"
        printf 'confirmed\n'
        return 0
        ;;
      'reject '*)
        # The reason first: verify reads it once it sees `rejected`.
        printf '%s\n' "${_cn_l#reject }" >"$A/reason"
        : >"$A/rejected"
        printf 'rejected\n'
        return 0
        ;;
      *) usage "confirm: unexpected line" ;;
    esac
  done
}

# --- main ---------------------------------------------------------------------------------

if [ "${1:-}" = --root ]; then
  [ $# -ge 2 ] || usage "--root needs a directory"
  ROOT=${2%/}
  case $ROOT in /?*) ;; *) usage "--root needs an absolute directory other than /" ;; esac
  [ -d "$ROOT" ] || usage "--root $2 is not a directory"
  shift 2
fi
D=$ROOT/var/lib/deptool
# Output of a command that is read back with `read`: a file instead of a command
# substitution spares a fork. Only lock holders use it (run-activation has its own).
scratch=$D/scratch
# Set by recover: who found the activation it undoes (session or boot).
recovering=
# Set by a dry run (cmd_dry_run): its scratch dir, and the host's own root (ROOT before it).
dry_dir=
dry_real=
# Set by a validate step that failed (the activation is then refused, not rolled back).
validate_failed=0
# Revisions (`<app>/<rev>`) stage_dir put in place that were not there (unstage removes them).
staged_new=
# Set by an `await` step: when the driver's verdict is due (s_await).
aw_verdict=
boot_nb=
# Activations gc keeps when the driver does not say (a standalone gc).
gc_keep=5
[ $# -ge 1 ] || usage "usage: deptool-agent [--root DIR] <command> [args...]"
cmd=$1
shift
case $cmd in
  hello)
    [ $# -eq 0 ] || usage "hello takes no arguments"
    agent_sha10
    printf 'deptool-agent %s %s\n' "$AGENT_VERSION" "$sha10"
    ;;
  session)
    [ $# -ge 2 ] || usage "usage: session <holder> <wait-seconds> [--unit <unit>]... [target...]"
    cmd_session "$@"
    ;;
  run-activation)
    if [ $# -ne 1 ] || ! is_id "$1"; then usage "usage: run-activation <id>"; fi
    cmd_run_activation "$1"
    ;;
  recover)
    if [ $# -ne 2 ] || ! is_id "$1"; then usage "usage: recover <id> session|boot"; fi
    case $2 in session | boot) ;; *) usage "usage: recover <id> session|boot" ;; esac
    cmd_recover "$1" "$2"
    ;;
  boot)
    [ $# -eq 0 ] || usage "boot takes no arguments"
    cmd_boot
    ;;
  confirm)
    [ $# -eq 3 ] || usage "usage: confirm <id> <nonce> <wait-seconds>"
    cmd_confirm "$1" "$2" "$3"
    ;;
  check | stage | activate | result | gc)
    if [ $# -lt 2 ] || [ "$1" != --session ]; then usage "$cmd needs --session <pid> first"; fi
    require_session "$2"
    shift 2
    case $cmd:$# in
      check:*) cmd_check "$@" ;;
      stage:0) cmd_stage ;;
      activate:3) cmd_activate "$1" "$2" "$3" ;;
      result:2) cmd_result "$1" "$2" ;;
      gc:*) cmd_gc "$@" ;;
      *) usage "wrong number of arguments for $cmd" ;;
    esac
    ;;
  *) usage "unknown command: $cmd" ;;
esac
