#!/bin/sh
# Warden host revocation: locks and expires accounts and ends their processes first, then removes
# authorized keys by fingerprint. Idempotent: a second run changes nothing and says so.
#
# Runs as root through SSM Run Command (AWS-RunShellScript). POSIX sh + POSIX awk (dash/mawk,
# bash, busybox).
#
# Usage: revoke.sh [--keys-b64 B64]... [--lock-b64 B64]... [--no-password-lock] [--no-expire] [--no-kill]
#   --keys-b64   base64 of newline-separated key bodies (the base64 blob of an OpenSSH key line).
#                Every line OpenSSH reads as one of these keys (same fingerprint, by ssh-keygen -l:
#                options, whitespace inside the body and certificates included) is removed from
#                every authorized keys file of every account (the same files inventory.sh reads).
#   --lock-b64   base64 of newline-separated account names to lock (usermod -L), expire
#                (usermod -e 1: key logins through PAM stop too) and whose processes are killed
#                (killed by a process of that uid with kill -1, which no forking process escapes,
#                and again while one is left, for up to 10 s). This happens
#                before any keys file is read, so no file can delay or prevent it. Accounts are
#                looked up by name (getent passwd NAME), so directory users are found too; uid 0
#                and accounts below UID_MIN (login.defs, default 1000) are refused.
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
#                                      (ERROR when processes are still running after 10 s)
#   ERROR <user or *> <file or *> <reason>
#   END <number of records above> changed=<n> errors=<n>
# ABSENT is printed only when every file could be checked, after changed files were read again the
# same way. Exit status: 0 ok, 1 something failed (see ERROR lines), 2 bad input (nothing changed).
#
# Files are rewritten atomically inside the real folder entered by common.sh's w_open (never
# through a name that could have been swapped for a symlink): a temporary file created exclusively
# in that folder with the original's owner, group and mode, then `mv -T` over the name, after
# checking the name still is the file read. Every other byte (CRLF, comments, blank lines, a
# missing final newline) is kept. A file that is a symlink, lies behind a symlink its account
# could make, is a FIFO or device, or is too large is never changed: ERROR, keys not proven gone.
#
# WARDEN_HOST_ROOT=DIR works on a simulated host under DIR: accounts are locked with
# `usermod --prefix DIR` (or, when that fails, by editing DIR/etc/shadow atomically), and sessions
# are not killed (KILL-SKIPPED) unless WARDEN_HOST_ALLOW_KILL=1 (tests that stub pkill only).
# There only, WARDEN_TEST_PAUSE_FILE=F makes the script create F.waiting and wait for F between
# reading a file and replacing it, so tests can race it deterministically.
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

# ---------------------------------------------------------------------------------------------
# Accounts: locked, expired and emptied of processes first.

# "name:pw:uid:..." of account $1, looked up by name (directory users included), or nothing.
passwd_entry() {
  w_lookup "$1"
}

# "name:pw:lastchg:min:max:warn:inactive:expire:" of account $1, or nothing.
shadow_entry() {
  if [ -n "$W_ROOT" ]; then
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' "$W_ROOT/etc/shadow" 2>/dev/null || :
  elif command -v getent >/dev/null 2>&1 && _se=$(getent shadow -- "$1" 2>/dev/null) && [ -n "$_se" ]; then
    printf '%s\n' "$_se"
  else
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' /etc/shadow 2>/dev/null || :
  fi
}

# The lowest uid of a person's account (login.defs UID_MIN, default 1000).
uid_min() {
  _um=$(awk '$1 == "UID_MIN" && $2 ~ /^[0-9]+$/ { v = $2 } END { print v }' "$W_ROOT/etc/login.defs" 2>/dev/null || :)
  echo "${_um:-1000}"
}

# "L E": whether the shadow entry $1 has its password locked, and is expired.
lock_state() {
  printf '%s\n' "$1" | awk -F: -v today="$W_TODAY" '{
  x = $8 + 0
  print ($2 ~ /^!/) ? 1 : 0, ($8 != "" && x > 0 && x <= today) ? 1 : 0
  exit
}'
}

# Locks and expires account $1 in DIR/etc/shadow directly (simulated host only: a root-owned
# folder), through a temporary file renamed over it.
shadow_edit() {
  _sf=$W_ROOT/etc/shadow
  _st=$W_ROOT/etc/.warden-shadow.$$
  rm -f -- "$_st"
  W_U=$1 W_L=$2 W_E=$3 awk '
BEGIN { FS = ":"; OFS = ":" }
$1 == ENVIRON["W_U"] {
  if (ENVIRON["W_L"] == "1" && $2 !~ /^!/) $2 = "!" $2
  if (ENVIRON["W_E"] == "1") $8 = 1
}
{ print }' "$_sf" >"$_st" 2>/dev/null || { rm -f -- "$_st"; return 1; }
  chown --reference="$_sf" -- "$_st" 2>/dev/null || :
  chmod --reference="$_sf" -- "$_st" 2>/dev/null || :
  mv -f -T -- "$_st" "$_sf" 2>/dev/null || { rm -f -- "$_st"; return 1; }
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

# Seconds since 1970.
now_s() {
  _ns=$(date +%s 2>/dev/null || :)
  case $_ns in
    '' | *[!0-9]*) awk 'BEGIN { srand(); print srand() }' ;;
    *) echo "$_ns" ;;
  esac
}

# Whether uid $1 (effective or real) has a process that is not a zombie: an exited process whose
# parent has not reaped it yet runs nothing, holds nothing and cannot be killed.
alive_uid() {
  ps -e -o uid= -o ruid= -o stat= </dev/null 2>/dev/null | awk -v u="$1" '($1 == u || $2 == u) && $3 !~ /^Z/ { n++ } END { exit !n }'
}

# Runs a command as uid $1, gid $2 (no supplementary groups): setpriv, else perl.
as_uid() {
  _au=$1
  _ag=$2
  shift 2
  if command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid="$_au" --regid="$_ag" --clear-groups -- "$@" </dev/null >/dev/null 2>&1
  elif command -v perl >/dev/null 2>&1; then
    W_AU=$_au W_AG=$_ag perl -e '$( = $) = $ENV{W_AG} . " " . $ENV{W_AG}; $< = $> = $ENV{W_AU}; exit 1 if $< != $ENV{W_AU} || $> != $ENV{W_AU}; exec @ARGV or exit 1' -- "$@" </dev/null >/dev/null 2>&1
  else
    return 127
  fi
}

# Ends every process of uid $1 (gid $2). Signals are sent by a process running as that uid to
# every process it may signal (kill -1): the kernel walks all processes at once and aborts any
# fork under way, so a process that keeps forking cannot slip past, as it can past pkill's
# one-by-one walk. Each round stops them all, looks (stopped processes stay put, so one look is
# enough), then kills them all, with pkill -u/-U after for processes only root can reach; until
# two looks in a row find none, for up to 10 s. 0 killed, 1 none was running, 2 some still run.
kill_uid() {
  case $1 in '' | 0 | *[!0-9]*) return 2 ;; esac
  _kstart=$(now_s)
  _kany=1
  _kclean=0
  while :; do
    if as_uid "$1" "$2" sh -c 'kill -s STOP -- -1'; then
      _kas=1
    else
      _kas=
      pkill -STOP -u "$1" </dev/null >/dev/null 2>&1 || :
      pkill -STOP -U "$1" </dev/null >/dev/null 2>&1 || :
    fi
    if alive_uid "$1"; then
      _kany=0
      _kclean=0
    else
      _kclean=$((_kclean + 1))
    fi
    if [ -n "$_kas" ]; then as_uid "$1" "$2" sh -c 'kill -s KILL -- -1' || :; fi
    pkill -KILL -u "$1" </dev/null >/dev/null 2>&1 || :
    pkill -KILL -U "$1" </dev/null >/dev/null 2>&1 || :
    if [ "$_kclean" -ge 2 ]; then return "$_kany"; fi
    if [ $(($(now_s) - _kstart)) -ge 10 ]; then return 2; fi
    sleep 0.05 2>/dev/null || sleep 1
  done
}

lock_users() {
  W_TODAY=$(w_today)
  _umin=$(uid_min)
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
    if [ "$_uid" -lt "$_umin" ]; then
      error "$_u" '*' "system account (uid $_uid below UID_MIN $_umin): never locked or killed by Warden"
      continue
    fi
    _gid=$(printf '%s\n' "$_pe" | awk -F: '{ print $4; exit }')
    case $_gid in '' | *[!0-9]*) _gid=$_uid ;; esac
    printf '%s\t%s\t%s\n' "$_u" "$_uid" "$_gid" >>"$W_TMP/uids"
    _se=$(shadow_entry "$_u" </dev/null)
    if [ -z "$_se" ]; then
      error "$_u" '*' "no local shadow entry (a directory account?): not locked here, lock it in its directory"
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
  while IFS=$W_TAB read -r _u _uid _gid; do
    if [ -n "$W_ROOT" ] && [ "${WARDEN_HOST_ALLOW_KILL:-}" != 1 ]; then
      emit KILL-SKIPPED "$_u" "simulated host: no process is killed"
      continue
    fi
    if ! command -v pkill >/dev/null 2>&1 || ! command -v ps >/dev/null 2>&1; then
      error "$_u" '*' "pkill or ps not available: processes not ended"
      continue
    fi
    if kill_uid "$_uid" "$_gid"; then
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
      *) error "$_u" '*' "processes still running after 10 s of stopping and killing them" ;;
    esac
  done <"$W_TMP/uids"
}

# ---------------------------------------------------------------------------------------------
# Keys: judged and removed by fingerprint.

# Writes $W_TMP/targets ("fingerprint<TAB>n<TAB>tail" per requested key, n its position) by giving
# ssh-keygen each body with the key type its blob names.
target_fingerprints() {
  awk '
BEGIN {
  a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for (i = 0; i < 64; i++) v[substr(a, i + 1, 1)] = i
}
function byte(k) { return b[k] }
{
  s = substr($0, 1, 96)
  nb = 0
  for (i = 1; i + 3 <= length(s); i += 4) {
    x = v[substr(s, i, 1)] * 262144 + v[substr(s, i + 1, 1)] * 4096 + v[substr(s, i + 2, 1)] * 64 + v[substr(s, i + 3, 1)]
    b[nb++] = int(x / 65536); b[nb++] = int(x / 256) % 256; b[nb++] = x % 256
  }
  len = b[0] * 16777216 + b[1] * 65536 + b[2] * 256 + b[3]
  t = ""
  if (len > 0 && len <= 64 && len + 4 <= nb) for (i = 4; i < 4 + len; i++) t = t sprintf("%c", b[i])
  if (t !~ /^[A-Za-z0-9@._+-]+$/) t = "invalid-key-type"
  print t " " $0
}' "$W_TMP/keys" >"$W_TMP/keylines"
  printf 'k\t%s\n' "$W_TMP/keylines" >"$W_TMP/keys.list"
  w_judge "$W_TMP/keys.list" "$W_TMP/keys.judged" || return 1
  awk -F '\t' 'FNR == NR { fp[$2] = $3; next } { t = length($0) > 16 ? substr($0, length($0) - 15) : $0; printf "%s\t%d\t%s\n", ((FNR in fp) ? fp[FNR] : "-"), FNR, t }' \
    "$W_TMP/keys.judged" "$W_TMP/keys" >"$W_TMP/targets"
}

# The test-only pause point between reading a file and replacing it (simulated hosts only).
test_pause() {
  if [ -z "$W_ROOT" ] || [ -z "${WARDEN_TEST_PAUSE_FILE:-}" ]; then return 0; fi
  : >"$WARDEN_TEST_PAUSE_FILE.waiting"
  _pw=0
  while [ ! -e "$WARDEN_TEST_PAUSE_FILE" ] && [ "$_pw" -lt 600 ]; do
    sleep 0.05 2>/dev/null || sleep 1
    _pw=$((_pw + 1))
  done
}

# Drops the lines listed in W_DROP (line numbers) from the file read; keeps every other byte,
# including a missing final newline.
W_AWK_DROP='
BEGIN {
  df = ENVIRON["W_DROP"]
  while ((getline d < df) > 0) drop[d + 0] = 1
  close(df)
  noeol = ENVIRON["W_NOEOL"] == "1"
}
{
  if (NR in drop) { last_removed = 1; next }
  if (pending_set) printf "%s\n", pending
  pending = $0
  pending_set = 1
  last_removed = 0
}
END { if (pending_set) printf "%s%s", pending, ((noeol && !last_removed) ? "" : "\n") }
'

# Rewrites host path $3 (of user $1, uid $2) without the lines OpenSSH reads as a key to revoke:
# read again through w_open, judged again, written next to it in the same real folder.
# Sets W_WHY and returns 1 when it cannot.
rewrite() {
  _ru=$1
  _ruid=$2
  _rp=$3
  _rcopy=$W_TMP/rewrite.copy
  if w_read "$_rp" "$_ruid" "$_rcopy"; then
    :
  else
    _rc=$?
    w_close
    if [ "$_rc" -eq 1 ]; then return 0; fi
    return 1
  fi
  if ! w_meta; then
    w_close
    W_WHY="cannot read its owner and size: not changed"
    return 1
  fi
  _rmeta=$W_META
  set -- $_rmeta
  if [ "$4" -gt "$W_MAX_BYTES" ]; then
    w_close
    W_WHY="larger than $W_MAX_BYTES bytes: not changed"
    return 1
  fi
  printf 'r\t%s\n' "$_rcopy" >"$W_TMP/rewrite.list"
  if ! w_judge "$W_TMP/rewrite.list" "$W_TMP/rewrite.judged"; then
    w_close
    W_WHY="ssh-keygen could not judge it: not changed"
    return 1
  fi
  awk -F '\t' 'FNR == NR { if ($1 != "-") t[$1] = $2 "\t" $3; next } ($3 in t) { print $2 "\t" t[$3] }' \
    "$W_TMP/targets" "$W_TMP/rewrite.judged" >"$W_TMP/rewrite.hits"
  if [ ! -s "$W_TMP/rewrite.hits" ]; then
    w_close
    return 0
  fi
  cut -f 1 "$W_TMP/rewrite.hits" >"$W_TMP/rewrite.drop"
  W_NOEOL=0
  if [ -s "$_rcopy" ] && [ -n "$(tail -c 1 "$_rcopy")" ]; then W_NOEOL=1; fi
  _rn=0
  _tmpf=
  set -C
  while [ "$_rn" -lt 20 ]; do
    if { command exec 3>".warden-tmp.$$.$_rn"; } 2>/dev/null; then
      _tmpf=.warden-tmp.$$.$_rn
      break
    fi
    _rn=$((_rn + 1))
  done
  set +C
  if [ -z "$_tmpf" ]; then
    w_close
    W_WHY="cannot create a temporary file in its folder: not changed"
    return 1
  fi
  if ! W_DROP=$W_TMP/rewrite.drop W_NOEOL=$W_NOEOL awk "$W_AWK_DROP" "$_rcopy" >&3 2>/dev/null; then
    exec 3>&-
    rm -f -- "$_tmpf"
    w_close
    W_WHY="could not be filtered: not changed"
    return 1
  fi
  set -- $_rmeta
  if ! chmod -- "$3" /dev/fd/3 2>/dev/null || ! chown -- "$1:$2" /dev/fd/3 2>/dev/null; then
    exec 3>&-
    rm -f -- "$_tmpf"
    w_close
    W_WHY="cannot give the new file the same owner and mode: not changed"
    return 1
  fi
  if [ -e /sys/fs/selinux/enforce ] && command -v chcon >/dev/null 2>&1; then
    chcon --reference=/dev/fd/4 /dev/fd/3 2>/dev/null || :
  fi
  test_pause
  _rnow=$(stat -L -c '%u %g %a %s %Y' /dev/fd/4 2>/dev/null || echo gone)
  if [ -L "$W_NAME" ] || ! [ "$W_NAME" -ef /dev/fd/4 ] || [ "$_rnow" != "$_rmeta" ] || [ -L "$_tmpf" ] || ! [ "$_tmpf" -ef /dev/fd/3 ]; then
    exec 3>&-
    rm -f -- "$_tmpf"
    w_close
    W_WHY="changed while being rewritten: not changed"
    return 1
  fi
  if ! mv -f -T -- "$_tmpf" "$W_NAME" </dev/null 2>/dev/null; then
    exec 3>&-
    rm -f -- "$_tmpf"
    w_close
    W_WHY="cannot replace the file: not changed"
    return 1
  fi
  exec 3>&-
  w_close
  while IFS=$W_TAB read -r _line _n _tail; do
    emit REMOVED "$_ru" "$_rp" "$_n:$_tail"
    W_CHANGED=$((W_CHANGED + 1))
    printf '%s\n' "$_n" >>"$W_TMP/removed"
  done <"$W_TMP/rewrite.hits"
  return 0
}

# Reads every keys file and judges every line: $W_TMP/manifest, $W_TMP/problems, $W_TMP/hits
# ("file id<TAB>line<TAB>key n").
scan() {
  : >"$W_TMP/problems"
  w_manifest
  awk -F '\t' '{ print $1 "\t" $5 }' "$W_TMP/manifest" >"$W_TMP/judge.list"
  : >"$W_TMP/judged"
  if [ -s "$W_TMP/judge.list" ] && ! w_judge "$W_TMP/judge.list" "$W_TMP/judged"; then
    return 1
  fi
  awk -F '\t' 'FNR == NR { if ($1 != "-") t[$1] = $2; next } ($3 in t) { print $1 "\t" $2 "\t" t[$3] }' \
    "$W_TMP/targets" "$W_TMP/judged" >"$W_TMP/hits"
}

revoke_keys() {
  : >"$W_TMP/removed"
  _unverified=
  if ! target_fingerprints; then
    error '*' '*' "ssh-keygen unavailable or unusable: keys cannot be judged as OpenSSH reads them"
    return 0
  fi
  while IFS=$W_TAB read -r _fp _n _tail; do
    if [ "$_fp" = - ]; then
      error '*' '*' "key $_n:$_tail is not a key OpenSSH reads: not looked for"
      _unverified=1
    fi
  done <"$W_TMP/targets"
  if ! scan; then
    error '*' '*' "ssh-keygen could not judge the keys files"
    return 0
  fi
  if [ -s "$W_TMP/hits" ]; then
    cut -f 1 "$W_TMP/hits" | sort -u -n >"$W_TMP/hit.ids"
    while IFS= read -r _id; do
      _entry=$(awk -F '\t' -v id="$_id" '$1 == id { print $2 "\t" $3 "\t" $4; exit }' "$W_TMP/manifest")
      _u=${_entry%%"$W_TAB"*}
      _rest=${_entry#*"$W_TAB"}
      _uid=${_rest%%"$W_TAB"*}
      _p=${_rest#*"$W_TAB"}
      if ! rewrite "$_u" "$_uid" "$_p"; then
        error "$_u" "$_p" "$W_WHY"
      fi
    done <"$W_TMP/hit.ids"
    # Verified the way it was found: every file read and judged again.
    if ! scan; then
      error '*' '*' "ssh-keygen could not judge the keys files again"
      return 0
    fi
  fi
  while IFS=$W_TAB read -r _id _line _n; do
    _entry=$(awk -F '\t' -v id="$_id" '$1 == id { print $2 "\t" $4; exit }' "$W_TMP/manifest")
    error "${_entry%%"$W_TAB"*}" "${_entry#*"$W_TAB"}" "line $_line still holds key $_n"
    _unverified=1
  done <"$W_TMP/hits"
  while IFS=$W_TAB read -r _u _p _why; do
    error "$_u" "$_p" "$_why: keys not checked"
    _unverified=1
  done <"$W_TMP/problems"
  if [ -z "$_unverified" ]; then
    while IFS=$W_TAB read -r _fp _n _tail; do
      if ! grep -q -x -- "$_n" "$W_TMP/removed"; then emit ABSENT "$_n:$_tail"; fi
    done <"$W_TMP/targets"
  fi
}

# The leaver's own accounts first: nothing in any file can delay or prevent this.
if [ -s "$W_TMP/lock" ]; then
  lock_users
fi
if [ -s "$W_TMP/keys" ]; then
  revoke_keys
fi
finish
