#!/bin/sh
# Warden host revocation: removes authorized keys by key body, locks and expires accounts, and
# ends their sessions. Idempotent: a second run changes nothing and says so.
#
# Runs as root through SSM Run Command (AWS-RunShellScript). POSIX sh + POSIX awk (dash/mawk,
# bash, busybox).
#
# Usage: revoke.sh [--keys-b64 B64]... [--lock-b64 B64]... [--no-password-lock] [--no-expire] [--no-kill]
#   --keys-b64   base64 of newline-separated key bodies (the base64 blob of an OpenSSH key line).
#                Every line that holds one of them is removed from every authorized keys file of
#                every account (the same files inventory.sh reads).
#   --lock-b64   base64 of newline-separated account names to lock (usermod -L), expire
#                (usermod -e 1: key logins through PAM stop too) and whose processes are killed.
#   --no-password-lock, --no-expire, --no-kill   skip that part of locking.
# Data arrives base64-encoded and is validated again here (key bodies: base64 characters only;
# names: letters, digits, . _ @ - and a final $), so no caller text ever reaches a shell parser.
#
# Output (one record per line, fields separated by TAB):
#   WARDEN-REVOKE v1 <hostname>
#   REMOVED <user> <file> <n>:<tail>   a line holding key n (1-based position in --keys-b64 input,
#                                      tail = last 16 characters of its body) was removed
#   ABSENT <n>:<tail>                  key n is in no authorized keys file on this host
#   LOCKED <user> <usermod|shadow-edit|passwd>   now locked and expired (by that means)
#   ALREADY-LOCKED <user>
#   NO-USER <user>                     no such account here: nothing to lock
#   KILLED <user> / NO-SESSIONS <user> / KILL-SKIPPED <user> <why>
#   ERROR <user or *> <file or *> <reason>
#   END <number of records above> changed=<n> errors=<n>
# ABSENT is printed only when every file could be checked. Exit status: 0 ok, 1 something
# failed (see ERROR lines), 2 bad input (nothing changed).
#
# Files are rewritten atomically: a temporary file in the same folder with the original's owner,
# group and mode, then renamed over it; every other byte (CRLF, comments, blank lines, a missing
# final newline) is kept. Symlinks under a home are followed only while they stay inside it; a
# symlink leading elsewhere is never changed (ERROR when it holds a key to revoke).
#
# WARDEN_HOST_ROOT=DIR works on a simulated host under DIR: accounts are locked with
# `usermod --prefix DIR` (or, when that fails, by editing DIR/etc/shadow atomically), and sessions
# are not killed (KILL-SKIPPED) unless WARDEN_HOST_ALLOW_KILL=1 (tests that stub pkill only).
set -eu
LC_ALL=C
export LC_ALL
umask 077

. "$(dirname "$0")/common.sh" # warden:inline common.sh

W_RECORDS=0
W_CHANGED=0
W_ERRORS=0

# Prints one output record: its fields joined by TAB.
emit() {
  _line=$1
  shift
  for _f in "$@"; do
    _line=$_line$W_TAB$_f
  done
  printf '%s\n' "$_line"
  W_RECORDS=$((W_RECORDS + 1))
}

error() {
  emit ERROR "$1" "$2" "$3"
  W_ERRORS=$((W_ERRORS + 1))
}

finish() {
  printf 'END %d changed=%d errors=%d\n' "$W_RECORDS" "$W_CHANGED" "$W_ERRORS"
  if [ "$W_ERRORS" -gt 0 ]; then exit 1; fi
  exit 0
}

usage() {
  echo "usage: revoke.sh [--keys-b64 B64]... [--lock-b64 B64]... [--no-password-lock] [--no-expire] [--no-kill]" >&2
  exit 2
}

W_AWK_B64DEC='
function put(b) {
  if (b == 0) { bad = 1; exit 1 }
  printf "%c", b
}
BEGIN {
  a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for (i = 0; i < 64; i++) v[substr(a, i + 1, 1)] = i
}
{
  s = $0
  n = length(s)
  if (n % 4 != 0) { bad = 1; exit 1 }
  for (i = 1; i <= n; i += 4) {
    c3 = substr(s, i + 2, 1)
    c4 = substr(s, i + 3, 1)
    x = v[substr(s, i, 1)] * 262144 + v[substr(s, i + 1, 1)] * 4096
    if (c3 != "=") x += v[c3] * 64
    if (c4 != "=") x += v[c4]
    put(int(x / 65536))
    if (c3 != "=") put(int(x / 256) % 256)
    if (c4 != "=") put(x % 256)
  }
  printf "\n"
}
END { if (bad) exit 1 }
'

# Decodes a space-separated list of base64 arguments into file $2 (one item a line, deduplicated).
decode_args() {
  : >"$W_TMP/decoded"
  # Checked before splitting, so no glob character ever reaches the unquoted expansion below.
  case $1 in
    *[!A-Za-z0-9+/=\ ]*) return 1 ;;
  esac
  for _a in $1; do
    printf '%s\n' "$_a" | awk "$W_AWK_B64DEC" >>"$W_TMP/decoded" || return 1
  done
  awk '{ sub(/\r$/, "") } $0 != "" && !seen[$0]++' "$W_TMP/decoded" >"$2"
}

keys_b64=
lock_b64=
do_lock=1
do_expire=1
do_kill=1
while [ $# -gt 0 ]; do
  case $1 in
    --keys-b64) [ $# -ge 2 ] || usage; keys_b64="$keys_b64 $2"; shift 2 ;;
    --lock-b64) [ $# -ge 2 ] || usage; lock_b64="$lock_b64 $2"; shift 2 ;;
    --no-password-lock) do_lock=; shift ;;
    --no-expire) do_expire=; shift ;;
    --no-kill) do_kill=; shift ;;
    *) usage ;;
  esac
done

printf 'WARDEN-REVOKE v1 %s\n' "$(w_hostname)"

bad_input=
if ! decode_args "$keys_b64" "$W_TMP/keys"; then
  error '*' '*' "--keys-b64 is not valid base64"
  bad_input=1
elif ! awk '$0 !~ /^[A-Za-z0-9+\/]+=*$/ || length($0) < 16 { bad = 1 } END { exit bad }' "$W_TMP/keys"; then
  error '*' '*' "--keys-b64 holds a line that is not an SSH key body"
  bad_input=1
fi
if ! decode_args "$lock_b64" "$W_TMP/lock"; then
  error '*' '*' "--lock-b64 is not valid base64"
  bad_input=1
elif ! awk '$0 !~ /^[A-Za-z0-9._@][A-Za-z0-9._@-]*[$]?$/ || $0 == "." || $0 == ".." { bad = 1 } END { exit bad }' "$W_TMP/lock"; then
  error '*' '*' "--lock-b64 holds a name that is not a safe account name"
  bad_input=1
fi
if [ -n "$bad_input" ]; then
  printf 'END %d changed=0 errors=%d\n' "$W_RECORDS" "$W_ERRORS"
  exit 2
fi

# Replaces file $1 by the output of awk program $2 run on it, atomically: a new file created
# exclusively (noclobber) in the same folder, given the original's owner, group and mode through
# open descriptors (/dev/fd), then renamed over it. Working through descriptors, and checking
# names still lead to them, means a user who swaps names in their own folder mid-way can at worst
# have revoked keys filtered out of some other file, which keeps its own owner and mode: Warden
# never writes through their symlink, never hands them a copy of a file they could not read.
# Returns 0 when replaced, 3 when the program exits 3 (nothing to change), 1 on failure (W_WHY).
atomic_filter() {
  _af=$1
  _dir=${_af%/*}
  if [ -z "$_dir" ]; then _dir=/; fi
  W_WHY=
  if ! { command exec 4<"$_af"; } 2>/dev/null; then
    W_WHY="cannot be opened"
    return 1
  fi
  if [ -L "$_af" ] || ! [ "$_af" -ef /dev/fd/4 ]; then
    exec 4<&-
    W_WHY="changed while being read"
    return 1
  fi
  if ! _meta=$(stat -L -c '%u:%g %a' /dev/fd/4 2>/dev/null); then
    exec 4<&-
    W_WHY="cannot read its owner and mode"
    return 1
  fi
  _n=0
  _tmpf=
  set -C
  while [ "$_n" -lt 20 ]; do
    if { command exec 3>"$_dir/.warden-tmp.$$.$_n"; } 2>/dev/null; then
      _tmpf=$_dir/.warden-tmp.$$.$_n
      break
    fi
    _n=$((_n + 1))
  done
  set +C
  if [ -z "$_tmpf" ]; then
    exec 4<&-
    W_WHY="cannot create a temporary file in its folder"
    return 1
  fi
  W_NOEOL=0
  if [ -n "$(tail -c 1 /dev/fd/4 2>/dev/null)" ]; then W_NOEOL=1; fi
  export W_NOEOL
  W_REPORT=$W_TMP/report
  export W_REPORT
  if awk "$2" /dev/fd/4 >&3 2>/dev/null; then
    _rc=0
  else
    _rc=$?
  fi
  if [ "$_rc" -ne 0 ]; then
    exec 3>&- 4<&-
    rm -f -- "$_tmpf"
    if [ "$_rc" -eq 3 ]; then return 3; fi
    W_WHY="could not be read"
    return 1
  fi
  if ! chown -- "${_meta% *}" /dev/fd/3 2>/dev/null || ! chmod -- "${_meta#* }" /dev/fd/3 2>/dev/null; then
    exec 3>&- 4<&-
    rm -f -- "$_tmpf"
    W_WHY="cannot give the new file the same owner and mode"
    return 1
  fi
  if [ -e /sys/fs/selinux/enforce ] && command -v chcon >/dev/null 2>&1; then
    chcon --reference=/dev/fd/4 /dev/fd/3 2>/dev/null || :
  fi
  if [ -L "$_tmpf" ] || ! [ "$_tmpf" -ef /dev/fd/3 ] || ! mv -f -- "$_tmpf" "$_af" </dev/null 2>/dev/null; then
    exec 3>&- 4<&-
    W_WHY="cannot replace the file"
    return 1
  fi
  exec 3>&- 4<&-
  return 0
}

# Drops the lines holding a key to revoke; keeps every other byte, including a missing final
# newline. Exits 3 when there is nothing to drop.
W_AWK_REWRITE='
BEGIN {
  w_init_types()
  kf = ENVIRON["W_KEYS"]
  while ((getline k < kf) > 0) { nk++; if (!(k in idx)) idx[k] = nk }
  close(kf)
  report = ENVIRON["W_REPORT"]
  noeol = ENVIRON["W_NOEOL"] == "1"
}
{
  if (w_parse_line($0) && (W_KBODY in idx)) {
    b = W_KBODY
    printf "REMOVED\t%s\t%s\t%d:%s\n", ENVIRON["W_USER"], ENVIRON["W_DISP"], idx[b], (length(b) > 16 ? substr(b, length(b) - 15) : b) > report
    removed++
    last_removed = 1
    next
  }
  if (pending_set) printf "%s\n", pending
  pending = $0
  pending_set = 1
  last_removed = 0
}
END {
  if (!removed) exit 3
  if (pending_set) printf "%s%s", pending, ((noeol && !last_removed) ? "" : "\n")
}
'

# Rewrites file $3 (shown as $2, of user $1) without the lines holding a key to revoke.
rewrite() {
  : >"$W_TMP/report"
  W_KEYS=$W_TMP/keys
  W_USER=$1
  W_DISP=$2
  export W_KEYS W_USER W_DISP
  if atomic_filter "$3" "$W_AWK_LIB$W_AWK_REWRITE"; then
    _rc=0
  else
    _rc=$?
  fi
  case $_rc in
    0) ;;
    3) return 0 ;;
    *)
      error "$1" "$2" "$W_WHY: not changed"
      W_UNVERIFIED=1
      return 0
      ;;
  esac
  while IFS= read -r _rl; do
    printf '%s\n' "$_rl"
    W_RECORDS=$((W_RECORDS + 1))
    W_CHANGED=$((W_CHANGED + 1))
    printf '%s\n' "${_rl##*"$W_TAB"}" >>"$W_TMP/removed"
  done <"$W_TMP/report"
}

W_UNVERIFIED=
revoke_keys() {
  : >"$W_TMP/problems"
  : >"$W_TMP/removed"
  w_manifest
  W_KEYS=$W_TMP/keys awk -F '\t' "$W_AWK_LIB"'
BEGIN {
  w_init_types()
  kf = ENVIRON["W_KEYS"]
  while ((getline k < kf) > 0) idx[k] = 1
  close(kf)
}
{
  rp = $3
  hit = 0
  while ((r = (getline line < rp)) > 0) {
    if (w_parse_line(line) && (W_KBODY in idx)) hit = 1
  }
  close(rp)
  if (r < 0) { print "U\t" $0 } else if (hit && !($4 in seen)) { seen[$4] = 1; print "M\t" $0 }
}' "$W_TMP/manifest" >"$W_TMP/scan"

  while IFS=$W_TAB read -r _kind _u _disp _rp _phys; do
    if [ "$_kind" = U ]; then
      error "$_u" "$_disp" "unreadable: keys not checked"
      W_UNVERIFIED=1
      continue
    fi
    rewrite "$_u" "$_disp" "$_phys"
  done <"$W_TMP/scan"

  while IFS=$W_TAB read -r _kind _u _disp _rp _reason; do
    case $_kind in
      unreadable)
        error "$_u" "$_disp" "$_reason: keys not checked"
        W_UNVERIFIED=1
        ;;
      outside)
        if grep -F -q -f "$W_TMP/keys" -- "$_rp" </dev/null 2>/dev/null; then
          error "$_u" "$_disp" "holds a key to revoke but is a $_reason"
          W_UNVERIFIED=1
        fi
        ;;
    esac
  done <"$W_TMP/problems"

  if [ -z "$W_UNVERIFIED" ]; then
    W_REMOVED=$W_TMP/removed awk '
BEGIN {
  rf = ENVIRON["W_REMOVED"]
  while ((getline t < rf) > 0) removed[t] = 1
  close(rf)
}
{
  tag = FNR ":" (length($0) > 16 ? substr($0, length($0) - 15) : $0)
  if (!(tag in removed)) print tag
}' "$W_TMP/keys" >"$W_TMP/absent"
    while IFS= read -r _tag; do
      emit ABSENT "$_tag"
    done <"$W_TMP/absent"
  fi
}

# "name:pw:uid:..." of account $1, or nothing.
passwd_entry() {
  if [ -n "$W_ROOT" ]; then
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' "$W_ROOT/etc/passwd"
  elif command -v getent >/dev/null 2>&1; then
    getent passwd "$1" 2>/dev/null || :
  else
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' /etc/passwd
  fi
}

# "name:pw:lastchg:min:max:warn:inactive:expire:" of account $1, or nothing.
shadow_entry() {
  if [ -n "$W_ROOT" ]; then
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' "$W_ROOT/etc/shadow" 2>/dev/null || :
  elif command -v getent >/dev/null 2>&1 && _se=$(getent shadow "$1" 2>/dev/null) && [ -n "$_se" ]; then
    printf '%s\n' "$_se"
  else
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' /etc/shadow 2>/dev/null || :
  fi
}

# "L E": whether the shadow entry $1 has its password locked, and is expired.
lock_state() {
  printf '%s\n' "$1" | awk -F: -v today="$W_TODAY" '{
  x = $8 + 0
  print ($2 ~ /^!/) ? 1 : 0, ($8 != "" && x > 0 && x <= today) ? 1 : 0
  exit
}'
}

# Locks and expires account $1 in DIR/etc/shadow directly, with the same atomic replacement.
shadow_edit() {
  W_U=$1
  W_L=$2
  W_E=$3
  export W_U W_L W_E
  if atomic_filter "$W_ROOT/etc/shadow" '
BEGIN { FS = ":"; OFS = ":" }
$1 == ENVIRON["W_U"] {
  if (ENVIRON["W_L"] == "1" && $2 !~ /^!/) $2 = "!" $2
  if (ENVIRON["W_E"] == "1") $8 = 1
}
{ print }'; then
    return 0
  fi
  return 1
}

# Locks (usermod -L) and expires (usermod -e 1) account $1 as needed ($2, $3: 1 or empty).
apply_lock() {
  if [ -n "$2" ]; then _lf=-L; else _lf=; fi
  if [ -n "$W_ROOT" ]; then
    if command -v usermod >/dev/null 2>&1; then
      if [ -n "$3" ]; then
        usermod --prefix "$W_ROOT" $_lf -e 1 -- "$1" </dev/null >/dev/null 2>&1 && { W_METHOD=usermod; return 0; }
      else
        usermod --prefix "$W_ROOT" $_lf -- "$1" </dev/null >/dev/null 2>&1 && { W_METHOD=usermod; return 0; }
      fi
    fi
    shadow_edit "$1" "${2:+1}" "${3:+1}" && { W_METHOD=shadow-edit; return 0; }
    return 1
  fi
  if command -v usermod >/dev/null 2>&1; then
    if [ -n "$3" ]; then
      usermod $_lf -e 1 -- "$1" </dev/null >/dev/null 2>&1 && { W_METHOD=usermod; return 0; }
    else
      usermod $_lf -- "$1" </dev/null >/dev/null 2>&1 && { W_METHOD=usermod; return 0; }
    fi
  fi
  W_METHOD=passwd
  if [ -n "$2" ]; then passwd -l "$1" </dev/null >/dev/null 2>&1 || return 1; fi
  if [ -n "$3" ]; then chage -E 1 "$1" </dev/null >/dev/null 2>&1 || return 1; fi
  return 0
}

lock_users() {
  W_TODAY=$(w_today)
  : >"$W_TMP/uids"
  while IFS= read -r _u; do
    _pe=$(passwd_entry "$_u" </dev/null)
    if [ -z "$_pe" ]; then
      emit NO-USER "$_u"
      continue
    fi
    _uid=$(printf '%s\n' "$_pe" | awk -F: '{ print $3; exit }')
    case $_uid in
      '' | *[!0-9]*)
        error "$_u" '*' "no numeric uid: not locked"
        continue
        ;;
    esac
    if [ "$_uid" -eq 0 ]; then
      error "$_u" '*' "uid 0 is never locked or killed by Warden"
      continue
    fi
    printf '%s\t%s\n' "$_u" "$_uid" >>"$W_TMP/uids"
    _se=$(shadow_entry "$_u" </dev/null)
    if [ -z "$_se" ]; then
      error "$_u" '*' "no shadow entry: not locked"
      continue
    fi
    _st=$(lock_state "$_se")
    _need_lock=
    _need_exp=
    if [ -n "$do_lock" ] && [ "${_st% *}" != 1 ]; then _need_lock=1; fi
    if [ -n "$do_expire" ] && [ "${_st#* }" != 1 ]; then _need_exp=1; fi
    if [ -z "$_need_lock" ] && [ -z "$_need_exp" ]; then
      emit ALREADY-LOCKED "$_u"
      continue
    fi
    W_METHOD=
    if ! apply_lock "$_u" "$_need_lock" "$_need_exp"; then
      error "$_u" '*' "lock failed"
      continue
    fi
    _st=$(lock_state "$(shadow_entry "$_u" </dev/null)")
    if { [ -n "$do_lock" ] && [ "${_st% *}" != 1 ]; } || { [ -n "$do_expire" ] && [ "${_st#* }" != 1 ]; }; then
      error "$_u" '*' "lock did not take effect ($W_METHOD)"
      continue
    fi
    emit LOCKED "$_u" "$W_METHOD"
    W_CHANGED=$((W_CHANGED + 1))
  done <"$W_TMP/lock"

  if [ -z "$do_kill" ]; then
    return 0
  fi
  while IFS=$W_TAB read -r _u _uid; do
    if [ -n "$W_ROOT" ] && [ "${WARDEN_HOST_ALLOW_KILL:-}" != 1 ]; then
      emit KILL-SKIPPED "$_u" "simulated host: no process is killed"
      continue
    fi
    if ! command -v pkill >/dev/null 2>&1; then
      error "$_u" '*' "pkill not available: sessions not ended"
      continue
    fi
    if pkill -KILL -u "$_uid" </dev/null >/dev/null 2>&1; then
      _rc=0
    else
      _rc=$?
    fi
    case $_rc in
      0)
        emit KILLED "$_u"
        W_CHANGED=$((W_CHANGED + 1))
        ;;
      1) emit NO-SESSIONS "$_u" ;;
      *) error "$_u" '*' "pkill failed with status $_rc" ;;
    esac
  done <"$W_TMP/uids"
}

if [ -s "$W_TMP/keys" ]; then
  revoke_keys
fi
if [ -s "$W_TMP/lock" ]; then
  lock_users
fi
finish
