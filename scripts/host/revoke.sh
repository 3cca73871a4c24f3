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

# ---- BEGIN WARDEN SHARED BLOCK (identical in inventory.sh and revoke.sh; a test checks it) ----
W_TAB=$(printf '\t')
W_NL='
'
W_ROOT=${WARDEN_HOST_ROOT:-}
while :; do
  case $W_ROOT in
    */) W_ROOT=${W_ROOT%/} ;;
    *) break ;;
  esac
done

w_fail() {
  printf 'warden: %s\n' "$*" >&2
  exit 70
}

if W_TMP=$(mktemp -d "${TMPDIR:-/tmp}/warden.XXXXXX" 2>/dev/null); then
  :
else
  W_TMP=${TMPDIR:-/tmp}/warden.$$
  mkdir -m 700 -- "$W_TMP" 2>/dev/null || w_fail "cannot create a temporary directory"
fi
trap 'rm -rf -- "$W_TMP"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Key line parsing, mirroring OpenSSH's auth2-pubkeyfile.c: a line is "type body [comment]",
# or options (quoted strings may hold spaces, \" escapes a quote) followed by "type body [comment]".
# Unknown key types are accepted when the body looks like an SSH key blob (base64 "AAAA..."):
# reporting too much is safer than missing a key a newer sshd accepts.
W_AWK_LIB='
function w_init_types(   n, i, a) {
  n = split("ssh-rsa ssh-dss ssh-ed25519 ecdsa-sha2-nistp256 ecdsa-sha2-nistp384 ecdsa-sha2-nistp521 sk-ssh-ed25519@openssh.com sk-ecdsa-sha2-nistp256@openssh.com", a, " ")
  for (i = 1; i <= n; i++) W_TYPES[a[i]] = 1
}
function w_known_type(t) {
  if (t in W_TYPES) return 1
  return t ~ /-cert-v01@openssh\.com$/
}
function w_split_key(s,   m, t, rest, b, c) {
  m = match(s, /[ \t]/)
  if (m == 0) return 0
  t = substr(s, 1, m - 1)
  rest = substr(s, m + 1)
  sub(/^[ \t]+/, "", rest)
  m = match(rest, /[ \t]/)
  if (m == 0) {
    b = rest
    c = ""
  } else {
    b = substr(rest, 1, m - 1)
    c = substr(rest, m + 1)
    sub(/^[ \t]+/, "", c)
  }
  if (b !~ /^[A-Za-z0-9+\/]+=*$/) return 0
  if (!w_known_type(t) && !(t ~ /^[A-Za-z0-9][A-Za-z0-9@._+-]*$/ && b ~ /^AAAA/)) return 0
  W_KTYPE = t
  W_KBODY = b
  W_KCOMMENT = c
  return 1
}
function w_parse_line(line,   s, i, n, c, q) {
  sub(/\r$/, "", line)
  s = line
  sub(/^[ \t]+/, "", s)
  if (s == "" || substr(s, 1, 1) == "#") return 0
  if (w_split_key(s)) return 1
  n = length(s)
  q = 0
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (!q && (c == " " || c == "\t")) break
    if (c == "\\" && substr(s, i + 1, 1) == "\"") i++
    else if (c == "\"") q = !q
  }
  if (q) return 0
  s = substr(s, i)
  sub(/^[ \t]+/, "", s)
  return w_split_key(s)
}
'

# sshd_config: prints "A<TAB>path" per AuthorizedKeysFile value and "I<TAB>glob" per Include
# value, from every section (Match blocks included: a union over-reports, never misses).
W_AWK_SSHD='
function emit(kind, s,   i, n, c, q, tok) {
  n = length(s)
  q = 0
  tok = ""
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (c == "\"") { q = !q; continue }
    if (!q && (c == " " || c == "\t")) {
      if (tok != "") print kind "\t" tok
      tok = ""
      continue
    }
    tok = tok c
  }
  if (tok != "") print kind "\t" tok
}
{
  line = $0
  sub(/\r$/, "", line)
  sub(/^[ \t]+/, "", line)
  if (line == "" || substr(line, 1, 1) == "#") next
  m = match(line, /[ \t=]/)
  if (m == 0) next
  kw = tolower(substr(line, 1, m - 1))
  rest = substr(line, m)
  sub(/^[ \t]*=?[ \t]*/, "", rest)
  if (kw == "authorizedkeysfile") emit("A", rest)
  else if (kw == "include") emit("I", rest)
}
'

# Prints "user<TAB>home<TAB>path" for every account and authorized keys file name: %% %h %u %U
# expanded as sshd does, relative names taken from the home folder. Input: patterns file, passwd.
W_AWK_CANDIDATES='
function expand(p, user, uid, home,   out, i, n, c, d) {
  out = ""
  n = length(p)
  for (i = 1; i <= n; i++) {
    c = substr(p, i, 1)
    if (c != "%") { out = out c; continue }
    i++
    d = substr(p, i, 1)
    if (d == "%") out = out "%"
    else if (d == "h") out = out home
    else if (d == "u") out = out user
    else if (d == "U") out = out uid
    else return ""
  }
  return out
}
FNR == NR { if ($0 != "" && $0 != "none") pats[++np] = $0; next }
{
  if ($0 ~ /^[+-]/ || NF < 6) next
  user = $1
  uid = $3
  home = $6
  if (user == "" || user ~ /[\t\r]/ || home ~ /[\t\r]/) next
  while (length(home) > 1 && substr(home, length(home)) == "/") home = substr(home, 1, length(home) - 1)
  if (home == "") home = "/"
  for (i = 1; i <= np; i++) {
    p = expand(pats[i], user, uid, home)
    if (p == "" || p ~ /[\t\r]/) continue
    if (substr(p, 1, 1) != "/") p = (home == "/" ? "" : home) "/" p
    if ((user SUBSEP p) in seen) continue
    seen[user SUBSEP p] = 1
    printf "%s\t%s\t%s\n", user, home, p
  }
}
'

# Accounts as "name:pw:uid:gid:gecos:home:shell" lines.
w_passwd() {
  if [ -n "$W_ROOT" ]; then
    cat -- "$W_ROOT/etc/passwd"
  elif command -v getent >/dev/null 2>&1; then
    getent passwd
  else
    cat /etc/passwd
  fi
}

# Shadow entries; fails when they cannot be read.
w_shadow() {
  if [ -n "$W_ROOT" ]; then
    cat -- "$W_ROOT/etc/shadow"
  elif command -v getent >/dev/null 2>&1 && getent shadow >"$W_TMP/shadow.getent" 2>/dev/null && [ -s "$W_TMP/shadow.getent" ]; then
    cat -- "$W_TMP/shadow.getent"
  else
    cat /etc/shadow
  fi
}

# Days since 1970-01-01, as shadow counts them.
w_today() {
  _t=$(date +%s 2>/dev/null || :)
  case $_t in
    '' | *[!0-9]*) _t=$(awk 'BEGIN { srand(); print srand() }') ;;
  esac
  echo $((_t / 86400))
}

# Adds one problem: kind (notfile | outside | unreadable), user, file as on the host, path read, reason.
w_problem() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$W_TMP/problems"
}

# Physical path of an existing path, symlinks resolved; fails when it cannot be resolved.
w_physical() {
  if command -v readlink >/dev/null 2>&1 && _wp=$(readlink -f -- "$1" 2>/dev/null) && [ -n "$_wp" ]; then
    printf '%s\n' "$_wp"
  elif [ -d "$1" ] && [ ! -L "$1" ]; then
    (cd -P -- "$1" 2>/dev/null && pwd -P)
  else
    return 1
  fi
}

# Writes $W_TMP/patterns (authorized keys file names; the OpenSSH defaults always included) and
# records an unreadable sshd_config as a problem. Follows Include globs four levels deep.
w_patterns() {
  printf '%s\n' .ssh/authorized_keys .ssh/authorized_keys2 >"$W_TMP/patterns"
  _queue=$W_ROOT/etc/ssh/sshd_config
  _seen=
  _depth=0
  _oifs=$IFS
  while [ -n "$_queue" ] && [ "$_depth" -lt 4 ]; do
    _next=
    IFS=$W_NL
    for _cf in $_queue; do
      IFS=$_oifs
      case "$W_NL$_seen$W_NL" in
        *"$W_NL$_cf$W_NL"*) continue ;;
      esac
      _seen=$_seen$W_NL$_cf
      if [ ! -e "$_cf" ]; then
        continue
      fi
      if [ ! -f "$_cf" ] || ! awk "$W_AWK_SSHD" "$_cf" >"$W_TMP/sshd.parsed" 2>/dev/null; then
        w_problem unreadable '*' "${_cf#"$W_ROOT"}" "$_cf" "sshd configuration unreadable"
        continue
      fi
      while IFS= read -r _l; do
        case $_l in
          A"$W_TAB"*) printf '%s\n' "${_l#A"$W_TAB"}" >>"$W_TMP/patterns" ;;
          I"$W_TAB"*)
            _inc=${_l#I"$W_TAB"}
            case $_inc in
              /*) ;;
              *) _inc=/etc/ssh/$_inc ;;
            esac
            IFS=$W_NL
            for _g in $W_ROOT$_inc; do
              if [ -f "$_g" ]; then
                _next=$_next$W_NL$_g
              fi
            done
            IFS=$_oifs
            ;;
        esac
      done <"$W_TMP/sshd.parsed"
    done
    IFS=$_oifs
    _queue=$_next
    _depth=$((_depth + 1))
  done
  IFS=$_oifs
}

# Writes $W_TMP/passwd, $W_TMP/candidates, then $W_TMP/manifest
# ("user<TAB>file on host<TAB>path to read<TAB>physical path to write") and $W_TMP/problems.
# sshd follows symlinks; Warden follows one under a home only while it stays inside that home,
# so a user cannot point Warden at files elsewhere (an absolute link in a simulated host leaves it).
w_manifest() {
  : >"$W_TMP/manifest"
  : >>"$W_TMP/problems"
  w_passwd >"$W_TMP/passwd" || w_fail "cannot read the account list"
  w_patterns
  awk -F: "$W_AWK_CANDIDATES" "$W_TMP/patterns" "$W_TMP/passwd" >"$W_TMP/candidates"
  _lastuser=
  _hphys=
  while IFS=$W_TAB read -r _u _h _p; do
    _r=$W_ROOT$_p
    if [ ! -e "$_r" ]; then
      continue
    fi
    if [ ! -f "$_r" ]; then
      w_problem notfile "$_u" "$_p" "$_r" "not a regular file"
      continue
    fi
    if [ "$_h" = / ]; then _hp=; else _hp=$_h; fi
    _phys=$_r
    case $_p in
      "$_hp"/*)
        _rest=${_p#"$_hp"/}
        _cur=$W_ROOT$_hp
        _sym=
        while [ -n "$_rest" ]; do
          case $_rest in
            */*) _c=${_rest%%/*}; _rest=${_rest#*/} ;;
            *) _c=$_rest; _rest= ;;
          esac
          _cur=$_cur/$_c
          if [ -L "$_cur" ]; then
            _sym=1
            break
          fi
        done
        if [ -n "$_sym" ]; then
          if [ "$_u" != "$_lastuser" ]; then
            _hphys=$(w_physical "$W_ROOT$_h") || _hphys=
            _lastuser=$_u
          fi
          if [ -z "$_hphys" ] || ! _phys=$(w_physical "$_r"); then
            w_problem outside "$_u" "$_p" "$_r" "symlink that cannot be resolved: not read"
            continue
          fi
          case $_hphys in
            /) ;;
            *)
              case $_phys in
                "$_hphys"/*) ;;
                *)
                  w_problem outside "$_u" "$_p" "$_r" "symlink leading outside the home folder: not read"
                  continue
                  ;;
              esac
              ;;
          esac
        fi
        ;;
      *)
        if [ -L "$_r" ]; then
          _phys=$(w_physical "$_r") || {
            w_problem outside "$_u" "$_p" "$_r" "symlink that cannot be resolved: not read"
            continue
          }
        fi
        ;;
    esac
    if [ ! -r "$_r" ]; then
      w_problem unreadable "$_u" "$_p" "$_r" "unreadable"
      continue
    fi
    printf '%s\t%s\t%s\t%s\n' "$_u" "$_p" "$_r" "$_phys" >>"$W_TMP/manifest"
  done <"$W_TMP/candidates"
}

# The host name to report.
w_hostname() {
  _hn=
  if [ -n "$W_ROOT" ] && [ -r "$W_ROOT/etc/hostname" ]; then
    IFS= read -r _hn <"$W_ROOT/etc/hostname" || :
  fi
  if [ -z "$_hn" ]; then
    _hn=$(uname -n 2>/dev/null || echo unknown)
  fi
  printf '%s\n' "$_hn" | tr -d '\t\r'
}
# ---- END WARDEN SHARED BLOCK ----

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
