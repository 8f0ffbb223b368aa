#!/bin/sh
# deptool agent: runs on each host as root, executes the driver's steps and reports facts (contract: docs/agent-protocol.md).
AGENT_VERSION=0.1.0

set -eu
umask 022
# Byte-order sort/comm, untranslated tool output, and UTF-8 glyphs in `systemctl status`.
LC_ALL=C.UTF-8
export LC_ALL

tab=$(printf '\t')
nl='
'
ROOT=
self=$(readlink -f -- "$0")

usage() {
  printf 'error %s\n' "$*" >&2
  exit 2
}

refuse() {
  printf 'error %s\n' "$@"
  exit 3
}

sha10() {
  sha256sum <"$self" | cut -c1-10
}

now_ms() {
  date +%s%3N
}

# One line out of a command's output, for `error` lines.
oneline() {
  printf '%s' "$1" | tr '\n' ' '
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

# Absolute and normalised: no `.`, `..` or empty components, no control characters.
is_abs() {
  case $1 in /*) ;; *) return 1 ;; esac
  case $1/ in */./* | */../* | *//*) return 1 ;; esac
  case $1 in *[[:cntrl:]]*) return 1 ;; esac
}

is_unit() {
  case $1 in '' | -* | .* | */* | *[!A-Za-z0-9:_.@\\-]*) return 1 ;; esac
}

# --- links ------------------------------------------------------------------------------

# The content of link $1, or `-` when $1 is not a symlink.
link_of() {
  if [ -L "$1" ]; then readlink -- "$1"; else printf -- '-'; fi
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
# absolute or contain `..`, so every member lands inside $1. A `find` afterwards checks
# the result once more. Extraction ignores the archive's owners and permission bits
# beyond the umask (0644/0755).
receive_tar() {
  cat >"$1.tar"
  if ! tar -tvf "$1.tar" --quoting-style=escape >"$1.list" 2>"$1.err"; then
    refuse "the input is not a valid tar stream: $(oneline "$(head -n 1 "$1.err")")"
  fi
  while IFS= read -r _rt; do
    case $_rt in
      -* | d*) ;;
      *) refuse "only regular files and directories are accepted: $_rt" ;;
    esac
  done <"$1.list"
  tar -tf "$1.tar" --quoting-style=escape >"$1.list"
  while IFS= read -r _rt; do
    case $_rt in /*) refuse "absolute path in the archive: $_rt" ;; esac
    case /$_rt/ in */../*) refuse "path with '..' in the archive: $_rt" ;; esac
  done <"$1.list"
  mkdir -- "$1"
  tar -xf "$1.tar" -C "$1" --no-same-owner --no-same-permissions
  if [ -n "$(find "$1" ! -type f ! -type d)" ]; then refuse "the archive holds special files"; fi
  rm -f -- "$1.tar" "$1.list" "$1.err"
}

# --- revisions ----------------------------------------------------------------------------

# Prints `modified <path>` (content differs, or listed but missing), `extra <path>` (not
# listed) or `invalid <why>` for every difference between revision dir $1 and its
# checksum list $2 (absolute path); prints nothing when they agree. Missing files come
# from comparing the lists, so a listed path that escapes the dir counts as missing.
check_rev() {
  # The common case in four processes: every listed file verifies and the dir holds as
  # many files as the list names (no line may leave the dir, or the count could match an
  # extra file). Anything else gets the detailed comparison below.
  _cr_safe=1
  while IFS= read -r _cl; do
    case /${_cl#*  }/ in */../* | *//* | */./*) _cr_safe=0 ;; esac
  done <"$2"
  if [ "$_cr_safe" = 1 ] && [ -s "$2" ] && (cd "$1" && sha256sum -c --strict --quiet "$2") >/dev/null 2>&1 &&
    [ "$(cd "$1" && find . -type f | wc -l)" -eq "$(wc -l <"$2")" ]; then
    return 0
  fi
  _cr=$D/tmp/check.$$
  (cd "$1" && find . -type f) | sed 's|^\./||' | sort >"$_cr.have"
  sed 's/^[0-9a-f]\{64\}  //' "$2" | sort >"$_cr.want"
  : >"$_cr.out"
  if [ -s "$2" ] && ! (cd "$1" && sha256sum -c --strict --quiet "$2") >"$_cr.out" 2>"$_cr.err" && [ ! -s "$_cr.out" ]; then
    printf 'invalid checksum list: %s\n' "$(oneline "$(head -n 1 "$_cr.err")")"
  fi
  while IFS= read -r _cl; do
    case $_cl in *': FAILED') printf 'modified %s\n' "${_cl%: FAILED}" ;; esac
  done <"$_cr.out"
  comm -13 "$_cr.have" "$_cr.want" | while IFS= read -r _cl; do printf 'modified %s\n' "$_cl"; done
  comm -23 "$_cr.have" "$_cr.want" | while IFS= read -r _cl; do printf 'extra %s\n' "$_cl"; done
  rm -f -- "$_cr.out" "$_cr.err" "$_cr.have" "$_cr.want"
}

# --- session --------------------------------------------------------------------------------

require_session() {
  is_uint "$1" || usage "bad session pid: $1"
  _h=
  if [ -f "$D/lock.holder" ]; then IFS= read -r _h <"$D/lock.holder" || true; fi
  # The flock is the authority: a holder line whose session ended is stale, and a
  # pid alone could have been reused.
  if [ "${_h##* }" != "$1" ] || ! kill -0 "$1" 2>/dev/null || flock -n "$D/lock" true; then
    refuse "no session"
  fi
}

last_activation() {
  if [ -f "$D/activations/order" ]; then tail -n 1 "$D/activations/order"; fi
}

# True once activation $1 has ended: nobody holds activation.lock, and it wrote its
# result or its transient unit is gone (a unit that was killed writes no result).
activation_ended() {
  flock -n "$D/activation.lock" true || return 1
  [ ! -f "$D/activations/$1/result" ] || return 0
  [ -z "$ROOT" ] || return 0
  case $(systemctl show -p ActiveState --value "deptool-activate-$1.service" 2>/dev/null) in
    activating | active | deactivating | reloading) return 1 ;;
  esac
}

# Waits at most 120 s for activation $1 to end.
wait_activation() {
  _wa_end=$(($(now_ms) + 120000))
  until activation_ended "$1"; do
    [ "$(now_ms)" -lt "$_wa_end" ] || return 1
    sleep 0.1
  done
}

cmd_session() {
  case $1 in '' | *[[:cntrl:]]*) usage "bad holder" ;; esac
  _holder=$1
  shift
  for _t; do is_abs "$_t" || usage "not a normalised absolute path: $_t"; done
  mkdir -p "$D/apps" "$D/bin" "$D/activations" "$D/tmp"
  exec 9>>"$D/lock"
  if ! flock -n 9; then
    _h=
    if [ -f "$D/lock.holder" ]; then IFS= read -r _h <"$D/lock.holder" || true; fi
    printf 'busy %s\n' "$_h"
    exit 75
  fi
  printf '%s %s %s\n' "$_holder" "$(date +%s)" "$$" >"$D/lock.holder.new"
  mv -f "$D/lock.holder.new" "$D/lock.holder"
  # Leftovers of stages that died; we hold the lock, so nobody else is staging.
  rm -rf "$D/tmp"
  mkdir "$D/tmp"
  _last=$(last_activation)
  if [ -n "$_last" ] && ! wait_activation "$_last"; then
    printf 'busy activation %s is still running\n' "$_last"
    exit 75
  fi

  printf 'session %s\n' "$$"
  printf 'agent %s %s\n' "$AGENT_VERSION" "$(sha10)"
  _h=
  if [ -f "$ROOT/etc/hostname" ]; then IFS= read -r _h <"$ROOT/etc/hostname" || true; fi
  printf 'hostname %s\n' "$_h"
  if [ -n "$ROOT" ]; then
    printf 'system skipped\n'
  else
    printf 'system %s\n' "$(systemctl is-system-running 2>/dev/null || true)"
    systemctl list-units --state=failed --no-legend --plain --full 2>/dev/null |
      while read -r _u _; do printf 'failed %s\n' "$_u"; done
  fi
  if [ -n "$_last" ]; then
    _r=failed
    if [ -f "$D/activations/$_last/result" ]; then read -r _r <"$D/activations/$_last/result"; fi
    printf 'activation %s %s\n' "$_last" "$_r"
  fi
  for _d in "$D"/apps/*/; do
    _d=${_d%/}
    _app=${_d##*/}
    if [ -L "$_d/current" ]; then printf 'current %s %s\n' "$_app" "$(readlink "$_d/current")"; fi
    if [ -L "$_d/previous" ]; then printf 'previous %s %s\n' "$_app" "$(readlink "$_d/previous")"; fi
  done
  if [ -f "$D/state.json" ]; then
    _n=$(wc -c <"$D/state.json")
    printf 'state %s\n' "$((_n))"
    cat "$D/state.json"
  else
    printf 'state 0\n'
  fi
  check_facts "$@"
  printf 'ready\n'
  # Become cat, keeping descriptor 9: the lock lives exactly as long as the channel's
  # stdin, which ends when the driver closes it or the connection drops.
  exec cat >/dev/null
}

# --- check, stage, gc ----------------------------------------------------------------------

# The drift facts: every file of every current revision against its checksum list, and
# what each target path is (link value, `-` when missing, `!` when not a link).
check_facts() {
  for _d in "$D"/apps/*/; do
    _d=${_d%/}
    _app=${_d##*/}
    [ -L "$_d/current" ] || continue
    _rev=$(readlink "$_d/current")
    if [ ! -d "$_d/$_rev" ] || [ ! -f "$_d/$_rev.sha256" ]; then
      printf 'missing %s %s\n' "$_app" "$_rev"
      continue
    fi
    check_rev "$_d/$_rev" "$_d/$_rev.sha256" | while IFS= read -r _l; do printf '%s %s %s\n' "${_l%% *}" "$_app" "${_l#* }"; done
  done
  for _t; do
    _p=$ROOT$_t
    if [ -L "$_p" ]; then
      printf 'link %s %s\n' "$_t" "$(unroot "$(readlink -- "$_p")")"
    elif [ -e "$_p" ]; then
      printf 'link %s !\n' "$_t"
    else
      printf 'link %s -\n' "$_t"
    fi
  done
}

cmd_check() {
  check_facts "$@"
  printf 'done\n'
}

cmd_stage() {
  x=$D/tmp/stage.$$
  trap 'rm -rf -- "$x" "$x.tar" "$x.list" "$x.err" "$x.revs" "$x.problems"' EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  receive_tar "$x"
  stage_dir "$x"
  printf 'done\n'
}

# Verifies the revisions extracted in $1 (`<app>/<rev>/...` and `<app>/<rev>.sha256`) and
# moves them into apps/; on any problem prints `error` lines, installs nothing, exits 3.
stage_dir() {
  _sd=$1
  # Exactly <app>/<rev>/... and <app>/<rev>.sha256, each rev with its list.
  : >"$_sd.revs"
  : >"$_sd.problems"
  find "$_sd" -mindepth 1 -maxdepth 2 | while IFS= read -r _p; do
    _r=${_p#"$_sd"/}
    _app=${_r%%/*}
    _e=${_r#*/}
    if [ "$_r" = "$_app" ]; then
      if [ -d "$_p" ] && is_name "$_app"; then continue; fi
    elif [ -d "$_p" ] && is_rev "$_e"; then
      if [ -f "$_p.sha256" ]; then
        printf '%s %s\n' "$_app" "$_e" >>"$_sd.revs"
        continue
      fi
      _r="$_r has no checksum list $_r.sha256"
    elif [ -f "$_p" ] && is_rev "${_e%.sha256}" && [ "$_e" = "${_e%.sha256}.sha256" ]; then
      if [ -d "${_p%.sha256}" ]; then continue; fi
      _r="$_r lists a revision that was not sent"
    fi
    printf 'unexpected %s\n' "$_r" >>"$_sd.problems"
  done
  if [ -s "$_sd.problems" ]; then
    while IFS= read -r _l; do printf 'error %s\n' "$_l"; done <"$_sd.problems"
    exit 3
  fi
  while read -r _app _rev; do
    check_rev "$_sd/$_app/$_rev" "$_sd/$_app/$_rev.sha256" | while IFS= read -r _l; do
      printf 'error %s/%s: %s\n' "$_app" "$_rev" "$_l"
    done >>"$_sd.problems"
  done <"$_sd.revs"
  if [ -s "$_sd.problems" ]; then
    cat "$_sd.problems"
    exit 3
  fi

  find "$_sd" -type d -exec chmod 0755 {} +
  find "$_sd" -type f -perm -u+x -exec chmod 0555 {} +
  find "$_sd" -type f ! -perm -u+x -exec chmod 0444 {} +
  while read -r _app _rev; do
    _dst=$D/apps/$_app
    mkdir -p "$_dst"
    if [ ! -d "$_dst/$_rev" ]; then
      mv -T "$_sd/$_app/$_rev" "$_dst/$_rev"
    elif [ -n "$(check_rev "$_dst/$_rev" "$_sd/$_app/$_rev.sha256")" ]; then
      # Revisions are content-addressed, so a present one is kept; one modified on the
      # host is replaced by the verified copy.
      mv -T "$_dst/$_rev" "$_sd/$_app/$_rev.modified"
      mv -T "$_sd/$_app/$_rev" "$_dst/$_rev"
    fi
    mv -f "$_sd/$_app/$_rev.sha256" "$_dst/$_rev.sha256"
    printf 'staged %s %s\n' "$_app" "$_rev"
  done <"$_sd.revs"
  rm -f -- "$_sd.revs" "$_sd.problems"
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
  for _d in "$D"/apps/*/; do
    [ -d "$_d" ] || continue
    _d=${_d%/}
    _cur=$(link_of "$_d/current")
    _prev=$(link_of "$_d/previous")
    for _e in "$_d"/* "$_d"/.[!.]* "$_d"/..?*; do
      [ -e "$_e" ] || [ -L "$_e" ] || continue
      _n=${_e##*/}
      _r=${_n%.sha256}
      if [ "$_n" = current ] || [ "$_n" = previous ] || [ "$_r" = "$_cur" ] || [ "$_r" = "$_prev" ] || is_among "$_r" "$@"; then
        continue
      fi
      rm -rf -- "$_e"
      printf 'removed apps/%s/%s\n' "${_d##*/}" "$_n"
    done
    # An app without current or previous has been removed; its dir is empty now.
    if rmdir -- "$_d" 2>/dev/null; then printf 'removed apps/%s\n' "${_d##*/}"; fi
  done
  _me=agent-$AGENT_VERSION-$(sha10)
  for _f in "$D"/bin/agent-* "$D"/bin/.agent.*; do
    if [ ! -e "$_f" ] || [ "${_f##*/}" = "$_me" ]; then continue; fi
    rm -f -- "$_f"
    printf 'removed bin/%s\n' "${_f##*/}"
  done
  _order=$D/activations/order
  if [ -f "$_order" ]; then
    tail -n 5 "$_order" >"$_order.new"
    mv -f "$_order.new" "$_order"
  else
    : >"$_order"
  fi
  for _a in "$D"/activations/*/; do
    [ -d "$_a" ] || continue
    _a=${_a%/}
    if grep -qxF -- "${_a##*/}" "$_order"; then continue; fi
    rm -rf -- "$_a"
    printf 'removed activations/%s\n' "${_a##*/}"
  done
  printf 'done\n'
}

# --- activation ---------------------------------------------------------------------------

# Calls "$1" with the tab-separated fields of each line of file $2 as arguments (and $n
# the line number); stops at the first call that fails. Blank lines are skipped.
each_step() {
  _es_fn=$1
  _es_file=$2
  n=0
  while IFS= read -r _es_line <&3 || [ -n "$_es_line" ]; do
    n=$((n + 1))
    [ -n "$_es_line" ] || continue
    set --
    _es_rest=$_es_line
    while :; do
      set -- "$@" "${_es_rest%%"$tab"*}"
      case $_es_rest in *"$tab"*) _es_rest=${_es_rest#*"$tab"} ;; *) break ;; esac
    done
    "$_es_fn" "$@" || return 1
  done 3<"$_es_file"
}

# Checks one step's shape; sets first_settle from the first verify step.
check_step() {
  err=
  _cs_op=$1
  shift
  for _cs_f; do [ -n "$_cs_f" ] || err="empty field"; done
  case $_cs_op:$# in
    flip:2) if ! is_name "$1" || ! is_rev "$2"; then err="bad app or revision"; fi ;;
    remove-app:1) is_name "$1" || err="bad app name" ;;
    link:3)
      if ! is_abs "$1" || ! is_abs "$2"; then err="target and value must be normalised absolute paths"; fi
      case $3 in adopt | no-adopt) ;; *) err="the third field must be adopt or no-adopt" ;; esac
      ;;
    unlink:1) is_abs "$1" || err="the target must be a normalised absolute path" ;;
    sysusers:0 | daemon-reload:0) ;;
    state:0) [ -f "$check_dir/state.json" ] || err="no state.json was sent" ;;
    disable:1 | enable:1 | restart:1) is_unit "$1" || err="bad unit name" ;;
    verify:[2-9] | verify:[1-9][0-9]*)
      is_uint "$1" || err="the settle time must be milliseconds"
      [ -n "$first_settle" ] || first_settle=$1
      shift
      for _cs_f; do is_unit "$_cs_f" || err="bad unit name"; done
      ;;
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
  if _sd_out=$("$@" 2>&1); then return 0; fi
  err="$* failed: $(oneline "$_sd_out")"
  return 1
}

# `systemctl disable --now`, keeping the unit's link: systemctl disable also removes a
# linked unit's symlink in /etc/systemd/system (it undoes `systemctl link`), and
# unlinking is a step of its own.
disable_now() {
  _dn_link=/etc/systemd/system/$1
  _dn_was=$(link_of "$_dn_link")
  _dn_rc=0
  sd systemctl disable --now "$1" || _dn_rc=1
  if [ -z "$ROOT" ] && [ "$_dn_was" != - ] && [ ! -L "$_dn_link" ]; then
    set_link "$_dn_link" "$_dn_was" || _dn_rc=1
  fi
  return $_dn_rc
}

s_flip() {
  _fd=$D/apps/$1
  if [ ! -d "$_fd/$2" ]; then
    err="$1 $2 is not staged"
    return 1
  fi
  _fc=$(link_of "$_fd/current")
  _fp=$(link_of "$_fd/previous")
  undo links "$1" "$_fc" "$_fp"
  if [ "$_fc" != - ] && [ "$_fc" != "$2" ]; then set_link "$_fd/previous" "$_fc" || return 1; fi
  set_link "$_fd/current" "$2"
}

s_remove_app() {
  _fd=$D/apps/$1
  undo links "$1" "$(link_of "$_fd/current")" "$(link_of "$_fd/previous")"
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
    case $_lo in
      "$ROOT/var/lib/deptool/"*) ;;
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
    if [ "$3" != adopt ]; then
      err="$1 exists and deptool does not manage it; move it away"
      return 1
    fi
    if ! cmp -s -- "$_lt" "$_lv"; then
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
  [ "$_en_was" = enabled ] || undo disable "$1"
  # Zeroes NRestarts, which verify expects of a unit this activation started.
  sd systemctl reset-failed "$1" || true
  sd systemctl enable --now "$1" || return 1
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
  # reset-failed first: a unit that hit its start limit would refuse to start.
  sd systemctl reset-failed "$1" || true
  sd systemctl restart "$1"
}

s_state() {
  err="cannot install state.json"
  if [ -f "$D/state.json" ]; then
    cp -p "$D/state.json" "$A/state.old" || return 1
    undo state saved
  else
    undo state none
  fi
  cp "$A/state.json" "$D/.state.json.new" && mv -f "$D/.state.json.new" "$D/state.json" || return 1
  err=
}

# Reads a unit's state into us_active, us_sub, us_result, us_restarts and us_type.
# `systemctl show` prints the properties in its own order, so they are matched by key.
unit_state() {
  us_active=- us_sub=- us_result=- us_restarts=0 us_type=-
  _us_out=$(systemctl show -p ActiveState -p SubState -p Result -p NRestarts -p Type "$1" 2>/dev/null) || true
  while IFS='=' read -r _us_k _us_v; do
    case $_us_k in
      ActiveState) us_active=${_us_v:--} ;;
      SubState) us_sub=${_us_v:--} ;;
      Result) us_result=${_us_v:--} ;;
      NRestarts) us_restarts=${_us_v:-0} ;;
      Type) us_type=${_us_v:--} ;;
    esac
  done <<EOF
$_us_out
EOF
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
  systemctl status --no-pager --full --lines=10 "$1" >"$A/status.out" 2>&1 || true
  _ls_n=$(wc -c <"$A/status.out")
  log "status $1 $((_ls_n))"
  cat "$A/status.out" >>"$A/log"
  rm -f -- "$A/status.out"
}

s_verify() {
  _vs=$1
  shift
  if [ -n "$ROOT" ]; then
    st=skipped
    for _vu; do log "unit $_vu skipped"; done
    return 0
  fi
  _vend=$(($(now_ms) + _vs))
  _vbad=$tab
  while :; do
    for _vu; do
      unit_state "$_vu"
      if unit_broken; then _vbad=$_vbad$_vu$tab; fi
    done
    if [ "$_vbad" != "$tab" ] || [ "$term" != 0 ] || [ "$(now_ms)" -ge "$_vend" ]; then break; fi
    sleep 0.1
  done
  _vrc=0
  for _vu; do
    unit_state "$_vu"
    log "unit $_vu $us_active $us_sub $us_result $us_restarts"
    case $_vbad in
      *"$tab$_vu$tab"*) _vwhy="$_vu failed during the settle time" ;;
      *)
        if unit_healthy; then continue; fi
        _vwhy="$_vu is not healthy"
        ;;
    esac
    _vrc=1
    err="$err${err:+$nl}$_vwhy ($us_active/$us_sub, result $us_result, $us_restarts restarts)"
    log_status "$_vu"
  done
  if [ "$term" != 0 ]; then
    err="$err${err:+$nl}activation timed out or was stopped"
    _vrc=1
  fi
  return $_vrc
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
    daemon-reload)
      undo daemon-reload
      sd systemctl daemon-reload
      ;;
    disable)
      undo enable "$1"
      disable_now "$1"
      ;;
    enable) s_enable "$1" ;;
    restart) s_restart "$1" ;;
    verify) s_verify "$@" ;;
    status) s_status "$@" ;;
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
      sd systemctl enable --now "$2" && printf '%s\n' "$2" >>"$A/rollback.units"
      ;;
    disable) disable_now "$2" ;;
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

# Undoes the journal backwards. Restarts are collected and run last, after reset-failed
# (the failed attempt may have hit the start limit), once everything else is back; one
# daemon-reload before them picks up the restored unit files. Then verifies the units.
rollback() {
  log "rollback begin"
  # A rollback after a timeout still runs to its end (systemd allows TimeoutStopSec).
  term=0
  _rb_rc=0
  _rb_reload=0
  : >"$A/rollback.units"
  tac "$A/undo" >"$A/undo.reversed"
  while IFS="$tab" read -r _rb_op _rb_a _rb_b _rb_c <&4; do
    case $_rb_op in
      restart) printf '%s\n' "$_rb_a" >>"$A/rollback.restart" ;;
      daemon-reload) _rb_reload=1 ;;
      *)
        if ! undo_one "$_rb_op" "$_rb_a" "$_rb_b" "$_rb_c"; then
          log "warning undo $_rb_op $(unroot "$_rb_a") failed: $err"
          _rb_rc=1
        fi
        ;;
    esac
  done 4<"$A/undo.reversed"
  if [ "$_rb_reload" = 1 ] && ! sd systemctl daemon-reload; then
    log "warning $err"
    _rb_rc=1
  fi
  if [ -f "$A/rollback.restart" ]; then
    sort -u "$A/rollback.restart" | while IFS= read -r _rb_u; do
      # A unit this activation added is gone again after the rollback: nothing to restart.
      if [ -z "$ROOT" ] && [ "$(systemctl show -p LoadState --value "$_rb_u")" = not-found ]; then continue; fi
      sd systemctl reset-failed "$_rb_u" || true
      if sd systemctl restart "$_rb_u"; then
        printf '%s\n' "$_rb_u" >>"$A/rollback.units"
      else
        log "warning $err"
        printf '%s\n' "$_rb_u" >>"$A/rollback.units"
      fi
    done
  fi
  set --
  sort -u "$A/rollback.units" >"$A/rollback.verify"
  while IFS= read -r _rb_u; do set -- "$@" "$_rb_u"; done <"$A/rollback.verify"
  if [ $# -gt 0 ]; then
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
  exec 8>>"$D/activation.lock"
  flock -n 8 || usage "another activation is running"
  # systemd stops the unit with SIGTERM when TimeoutStartSec is over: finish the current
  # command, then roll back instead of dying half-way.
  term=0
  trap 'term=1' TERM INT HUP
  : >"$A/undo"
  _ra_result=ok
  if ! check_steps "$A"; then
    log "error $err"
    _ra_result=failed
  elif ! each_step do_step "$A/steps"; then
    if rollback; then _ra_result=rolled-back; else _ra_result=failed; fi
  fi
  printf '%s\n' "$_ra_result" >"$A/result.new"
  mv -f "$A/result.new" "$A/result"
}

print_result() {
  _pr=$D/activations/$1
  if [ -f "$_pr/log" ]; then cat "$_pr/log"; fi
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
  A=$D/activations/$1
  [ ! -e "$A" ] || refuse "activation $1 exists"
  x=$D/tmp/activate.$$
  trap 'rm -rf -- "$x" "$x.tar" "$x.list" "$x.err"' EXIT
  receive_tar "$x"
  for _f in "$x"/* "$x"/.[!.]* "$x"/..?*; do
    [ -e "$_f" ] || continue
    case ${_f##*/} in
      steps | state.json) [ -f "$_f" ] || refuse "${_f##*/} is not a file" ;;
      revisions) [ -d "$_f" ] || refuse "revisions is not a directory" ;;
      *) refuse "unexpected ${_f##*/} in the activation" ;;
    esac
  done
  [ -f "$x/steps" ] || refuse "no steps were sent"
  check_steps "$x" || refuse "$err"
  # Revisions sent along are staged first: one round trip instead of two.
  if [ -d "$x/revisions" ]; then
    stage_dir "$x/revisions"
    rm -rf -- "$x/revisions"
  fi
  mkdir -p "$D/activations"
  mv -T "$x" "$A"
  printf '%s\n' "$1" >>"$D/activations/order"
  if [ -n "$ROOT" ]; then
    /bin/sh "$self" --root "$ROOT" run-activation "$1" </dev/null >/dev/null 2>"$A/run.err" || true
  else
    # In a transient unit, so that a dropped connection cannot stop it half-way. On
    # timeout, KillMode=mixed sends SIGTERM to run-activation only: with the default,
    # systemd keeps signalling the unit's new processes for a moment too, which would
    # kill the first commands of the rollback.
    # The log is streamed while the unit runs, as `live` lines, so the driver can show
    # progress (a rollback, say) as it happens; the complete log follows once the unit
    # has ended, and only that one counts.
    : >>"$A/log"
    systemd-run --unit "deptool-activate-$1" --collect --wait --quiet --service-type=oneshot \
      -p "TimeoutStartSec=$2" -p KillMode=mixed /bin/sh "$self" run-activation "$1" </dev/null >/dev/null 2>"$A/run.err" &
    _sr=$!
    tail -n +1 -s 0.05 -f --pid="$_sr" "$A/log" | sed -u 's/^/live /'
    # Ends a last live line that had no newline, so the complete log starts on its own line.
    printf '\n'
    wait "$_sr" || true
  fi
  print_result "$1"
  # After a success, what is neither current nor previous goes: one round trip fewer.
  if [ "$(cat "$A/result" 2>/dev/null)" = ok ]; then cmd_gc >/dev/null; fi
}

cmd_result() {
  is_id "$1" || usage "bad activation id: $1"
  [ -d "$D/activations/$1" ] || refuse "no activation $1"
  wait_activation "$1" || refuse "activation $1 is still running"
  print_result "$1"
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
[ $# -ge 1 ] || usage "usage: deptool-agent [--root DIR] <command> [args...]"
cmd=$1
shift
case $cmd in
  hello)
    [ $# -eq 0 ] || usage "hello takes no arguments"
    printf 'deptool-agent %s %s\n' "$AGENT_VERSION" "$(sha10)"
    ;;
  session)
    [ $# -ge 1 ] || usage "usage: session <holder> [target...]"
    cmd_session "$@"
    ;;
  run-activation)
    if [ $# -ne 1 ] || ! is_id "$1"; then usage "usage: run-activation <id>"; fi
    cmd_run_activation "$1"
    ;;
  check | stage | activate | result | gc)
    if [ $# -lt 2 ] || [ "$1" != --session ]; then usage "$cmd needs --session <pid> first"; fi
    require_session "$2"
    shift 2
    case $cmd:$# in
      check:*) cmd_check "$@" ;;
      stage:0) cmd_stage ;;
      activate:2) cmd_activate "$1" "$2" ;;
      result:1) cmd_result "$1" ;;
      gc:*) cmd_gc "$@" ;;
      *) usage "wrong number of arguments for $cmd" ;;
    esac
    ;;
  *) usage "unknown command: $cmd" ;;
esac
