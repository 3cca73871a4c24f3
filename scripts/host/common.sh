# Warden host library (scripts/host/common.sh): accounts, authorized_keys files and key-line
# judging shared by inventory.sh and revoke.sh. POSIX sh. On a host each script sources it from
# its own folder; for SSM Run Command Warden inlines it into the one script it sends
# (src/adapters/hosts/host-script-protocol.ts, loadHostScripts), replacing the source line below.
#
# Every file an account's owner could have planted is read through w_read: the path is walked
# one folder at a time from /, entering each folder with cd (so later renames cannot redirect
# what follows), following only symlinks owned by root; the file itself is never a symlink,
# never a FIFO, device or socket, never larger than W_MAX_BYTES, and is copied into Warden's
# private temporary folder before anything parses it. Whether a line is a key, and which key, is
# decided by OpenSSH's own parser (ssh-keygen -l), never by Warden's: see w_judge.
W_TAB=$(printf '\t')
W_NL='
'
W_MAX_BYTES=1048576
W_ROOT=${WARDEN_HOST_ROOT:-}
while :; do
  case $W_ROOT in
    */) W_ROOT=${W_ROOT%/} ;;
    *) break ;;
  esac
done
W_EUID=$(id -u 2>/dev/null || echo 0)

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
case $W_TMP in
  /*) ;;
  *) W_TMP=$(pwd -P)/$W_TMP ;;
esac
trap 'cd / 2>/dev/null; rm -rf -- "$W_TMP"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Key line display, mirroring OpenSSH's sshkey_read and auth2-pubkeyfile.c: a line is
# "type body [comment]", or options (quoted strings may hold blanks, \" escapes a quote) followed by
# "type body [comment]". The body runs to the next space or tab; the base64 decoder skips any other
# whitespace inside it (\v, \f, \r), so those are removed to give the canonical body. This only
# names what ssh-keygen already accepted (w_judge); it never decides whether a line is a key.
W_AWK_LIB='
function w_init_types(   n, i, a) {
  n = split("ssh-rsa ssh-dss ssh-ed25519 ecdsa-sha2-nistp256 ecdsa-sha2-nistp384 ecdsa-sha2-nistp521 sk-ssh-ed25519@openssh.com sk-ecdsa-sha2-nistp256@openssh.com", a, " ")
  for (i = 1; i <= n; i++) W_TYPES[a[i]] = 1
  W_WS = "[" sprintf("%c%c%c", 11, 12, 13) "]"
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
  gsub(W_WS, "", b)
  if (b !~ /^[A-Za-z0-9+\/]+=*$/) return 0
  if (!w_known_type(t) && !(t ~ /^[A-Za-z0-9][A-Za-z0-9@._+-]*$/ && b ~ /^AAAA/)) return 0
  gsub(/[[:cntrl:]]/, " ", c)
  sub(/ +$/, "", c)
  W_KTYPE = t
  W_KBODY = b
  W_KCOMMENT = c
  return 1
}
function w_parse_line(line,   s, i, n, c, q) {
  s = w_cstring(line)
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
# sshd reads a line as a C string: nothing after a NUL byte exists for it.
function w_cstring(line,   i) {
  i = index(line, sprintf("%c", 0))
  return i ? substr(line, 1, i - 1) : line
}
function w_content(line,   s) {
  s = w_cstring(line)
  sub(/^[ \t]+/, "", s)
  sub(/\r$/, "", s)
  return !(s == "" || substr(s, 1, 1) == "#")
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

# Prints "user<TAB>uid<TAB>path" for every account and authorized keys file name: %% %h %u %U
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
  if (user == "" || user ~ /[\t\r]/ || home ~ /[\t\r]/ || uid !~ /^[0-9]+$/) next
  while (length(home) > 1 && substr(home, length(home)) == "/") home = substr(home, 1, length(home) - 1)
  if (home == "") home = "/"
  for (i = 1; i <= np; i++) {
    p = expand(pats[i], user, uid, home)
    if (p == "" || p ~ /[\t\r]/) continue
    if (substr(p, 1, 1) != "/") p = (home == "/" ? "" : home) "/" p
    if ((user SUBSEP p) in seen) continue
    seen[user SUBSEP p] = 1
    printf "%s\t%s\t%s\n", user, uid, p
  }
}
'

# One account's "name:pw:uid:gid:gecos:home:shell" line looked up by name, the way sshd does
# (getent passwd NAME: directory users that `getent passwd` does not enumerate are found too), or
# nothing. A simulated host keeps such users in DIR/etc/passwd.directory.
w_lookup() {
  if [ -n "$W_ROOT" ]; then
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' "$W_ROOT/etc/passwd" 2>/dev/null || :
    if [ -r "$W_ROOT/etc/passwd.directory" ] && ! W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { f = 1 } END { exit !f }' "$W_ROOT/etc/passwd" 2>/dev/null; then
      W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' "$W_ROOT/etc/passwd.directory" 2>/dev/null || :
    fi
  elif command -v getent >/dev/null 2>&1; then
    getent passwd -- "$1" 2>/dev/null | head -n 1 || :
  else
    W_U=$1 awk -F: '$1 == ENVIRON["W_U"] { print; exit }' /etc/passwd 2>/dev/null || :
  fi
}

# Accounts as "name:pw:uid:gid:gecos:home:shell" lines: those the system enumerates, then every
# folder name next to their homes (/home/*) looked up one by one, which finds LDAP/SSSD users
# `getent passwd` leaves out when the directory does not enumerate.
w_passwd() {
  if [ -n "$W_ROOT" ]; then
    cat -- "$W_ROOT/etc/passwd" || return 1
  elif command -v getent >/dev/null 2>&1; then
    getent passwd || return 1
  else
    cat /etc/passwd || return 1
  fi
}

w_accounts() {
  w_passwd >"$W_TMP/passwd.enum" || return 1
  cp -- "$W_TMP/passwd.enum" "$W_TMP/passwd"
  # Folders holding people's homes: /home, and where accounts from uid 1000 up have theirs.
  awk -F: 'BEGIN { print "/home"; seen["/home"] = 1 }
NF >= 6 && $3 ~ /^[0-9]+$/ && $3 >= 1000 && $3 < 60000 && $6 ~ /^\/[^\t\r]*\/[^\/]+\/?$/ { h = $6; sub(/\/+$/, "", h); sub(/\/[^\/]+$/, "", h); if (h != "" && !seen[h]++) print h }' "$W_TMP/passwd.enum" >"$W_TMP/homeparents"
  while IFS= read -r _hp; do
    for _d in "$W_ROOT$_hp"/*; do
      [ -d "$_d" ] || continue
      _n=${_d##*/}
      case $_n in
        '' | *[!A-Za-z0-9._@-]* | -*) continue ;;
      esac
      printf '%s\n' "$_n"
    done
  done <"$W_TMP/homeparents" >"$W_TMP/homenames"
  awk -F: 'FNR == NR { known[$1] = 1; next } !($1 in known) && !seen[$1]++' "$W_TMP/passwd.enum" "$W_TMP/homenames" >"$W_TMP/unlisted"
  while IFS= read -r _n; do
    _e=$(w_lookup "$_n" </dev/null)
    if [ -n "$_e" ]; then printf '%s\n' "$_e" >>"$W_TMP/passwd"; fi
  done <"$W_TMP/unlisted"
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

# Adds one problem: user, file as on the host, reason.
w_problem() {
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$W_TMP/problems"
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
        w_problem '*' "${_cf#"$W_ROOT"}" "sshd configuration unreadable"
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

# Whether uid $1 may own a folder or keys file of account uid $2: that account, root, or (on a
# simulated host run without root) the user running the tests.
w_owner_ok() {
  [ "$1" = "$2" ] || [ "$1" = 0 ] || { [ -n "$W_ROOT" ] && [ "$1" = "$W_EUID" ]; }
}

# W_META: "uid gid mode size mtime" of the file open on descriptor 4; W_DIR_OWNER: uid owning
# the working folder.
w_meta() {
  _mm=$(stat -L -c '%u %g %a %s %Y %h' /dev/fd/4 . 2>/dev/null) || return 1
  W_META=${_mm%%"$W_NL"*}
  W_LINKS=${W_META##* }
  W_META=${W_META% *}
  W_DIR_OWNER=${_mm#*"$W_NL"}
  W_DIR_OWNER=${W_DIR_OWNER%% *}
}

# Enters the folder holding host path $1 (of account uid $2), one component at a time, and opens
# the file on descriptor 4 without following a symlink or blocking on a FIFO. The shell's working
# folder is then that real folder, whatever names are swapped later. Returns 0 when open, 1 when
# the file does not exist, 2 with W_WHY. Size is checked here only when the file is not root's
# (w_meta was needed anyway); w_copy never reads more than one byte past W_MAX_BYTES.
w_open() {
  W_WHY=
  _op=$1
  _ouid=$2
  cd -P -- "${W_ROOT:-/}" 2>/dev/null || { W_WHY="host root cannot be entered"; return 2; }
  _ophys=$PWD
  _orest=${_op#/}
  _oname=
  while [ -n "$_orest" ]; do
    case $_orest in
      */*) _c=${_orest%%/*}; _orest=${_orest#*/} ;;
      *) _oname=$_orest; break ;;
    esac
    case $_c in
      '' | .) continue ;;
      ..) W_WHY="path holds ..: not read"; return 2 ;;
    esac
    if [ -L "$_c" ]; then
      _lo=$(stat -c %u -- "$_c" 2>/dev/null || echo '?')
      if [ "$_lo" != 0 ]; then
        W_WHY="symlink in its path ($_c, not made by root): not read"
        return 2
      fi
      cd -P -- "$_c" 2>/dev/null || return 1
      _ophys=$PWD
      continue
    fi
    if [ ! -e "$_c" ]; then return 1; fi
    if [ ! -d "$_c" ]; then
      W_WHY="not a folder in its path ($_c): not read"
      return 2
    fi
    cd -P -- "$_c" 2>/dev/null || { W_WHY="folder $_c cannot be entered: not read"; return 2; }
    _onew=$PWD
    if [ "$_onew" != "${_ophys%/}/$_c" ]; then
      W_WHY="folder $_c changed while being read: not read"
      return 2
    fi
    _ophys=$_onew
  done
  case $_oname in
    '' | . | ..) W_WHY="not a file name: not read"; return 2 ;;
  esac
  if [ -L "$_oname" ]; then
    W_WHY="symlink: not read"
    return 2
  fi
  if [ ! -e "$_oname" ]; then return 1; fi
  if [ ! -f "$_oname" ]; then
    W_WHY="not a regular file (FIFO, device, socket or folder): not read"
    return 2
  fi
  # Read-write open never blocks on a FIFO swapped in meanwhile; a read-only folder gets read-only.
  if ! { command exec 4<>"$_oname"; } 2>/dev/null && ! { command exec 4<"$_oname"; } 2>/dev/null; then
    W_WHY="unreadable"
    return 2
  fi
  if [ -L "$_oname" ] || ! [ "$_oname" -ef /dev/fd/4 ] || ! [ -f /dev/fd/4 ]; then
    exec 4<&-
    W_WHY="changed while being read: not read"
    return 2
  fi
  W_META=
  # Owned by us (root) both: no need to ask stat, whose fork per file is most of a large host's time.
  if [ -O /dev/fd/4 ] && [ -O . ]; then
    W_NAME=$_oname
    return 0
  fi
  if ! w_meta; then
    exec 4<&-
    W_WHY="cannot read its owner and size: not read"
    return 2
  fi
  set -- $W_META
  if ! w_owner_ok "$1" "$_ouid"; then
    exec 4<&-
    W_WHY="owned by uid $1, not by its account or root: not read"
    return 2
  fi
  # A second name for a file the account does not own, in a folder it controls: a hard link to
  # someone else's file (where protected_hardlinks is off), never read as this account's.
  if [ "$1" != "$_ouid" ] && [ "$W_LINKS" -gt 1 ]; then
    exec 4<&-
    W_WHY="a hard link to a file of uid $1: not read"
    return 2
  fi
  if ! w_owner_ok "$W_DIR_OWNER" "$_ouid"; then
    exec 4<&-
    W_WHY="its folder is owned by uid $W_DIR_OWNER, not by its account or root: not read"
    return 2
  fi
  if [ "$4" -gt "$W_MAX_BYTES" ]; then
    exec 4<&-
    W_WHY="larger than $W_MAX_BYTES bytes: not read"
    return 2
  fi
  W_NAME=$_oname
  return 0
}

# Copies at most W_MAX_BYTES + 1 bytes of the file open on descriptor 4 into $1; more than
# W_MAX_BYTES is then found by w_oversized.
w_copy() {
  if ! head -c $((W_MAX_BYTES + 1)) <&4 >"$1" 2>/dev/null; then
    W_WHY="unreadable"
    return 2
  fi
  return 0
}

# Copy files (one a line in $1) holding more than W_MAX_BYTES, with one wc for all of them.
w_oversized() {
  if [ ! -s "$1" ]; then return 0; fi
  tr '\n' '\0' <"$1" | xargs -0 wc -c -- 2>/dev/null | awk -v max="$W_MAX_BYTES" '$1 > max && $2 != "total" { print $2 }'
}

# Reads host path $1 (of account uid $2) into copy file $3. 0 copied, 1 missing, 2 problem (W_WHY).
# Leaves the working folder in the file's folder and descriptor 4 open (see w_close).
w_read() {
  if w_open "$1" "$2"; then
    :
  else
    return $?
  fi
  if ! w_copy "$3"; then
    exec 4<&-
    return 2
  fi
  return 0
}

w_close() {
  { exec 4<&-; } 2>/dev/null || :
  cd / 2>/dev/null || :
}

# A fresh key of this run: marks line boundaries in what ssh-keygen reads (see w_judge). Fresh, so
# no line a user wrote can pose as it.
w_sentinel() {
  if [ -n "${W_SENTINEL_FP:-}" ]; then return 0; fi
  command -v ssh-keygen >/dev/null 2>&1 || return 1
  rm -f -- "$W_TMP/sentinel" "$W_TMP/sentinel.pub"
  ssh-keygen -q -t ed25519 -N '' -C warden-sentinel -f "$W_TMP/sentinel" </dev/null >/dev/null 2>&1 || return 1
  IFS= read -r W_SENTINEL <"$W_TMP/sentinel.pub" || return 1
  W_SENTINEL_FP=$(ssh-keygen -E sha256 -l -f "$W_TMP/sentinel.pub" </dev/null 2>/dev/null | awk '{ print $2; exit }')
  [ -n "$W_SENTINEL_FP" ]
}

# Judges every line of the copies listed in $1 ("id<TAB>copy file" lines) with OpenSSH's own
# parser: one `ssh-keygen -l` over all of them, each line preceded by the sentinel key, so the
# fingerprints it prints map back to lines exactly. Writes $2: "id<TAB>line<TAB>fingerprint" for
# every line OpenSSH reads as a key, "id<TAB>line<TAB>-" for every other line that is not blank or
# a comment. Fails when ssh-keygen is missing or its output does not map back.
w_judge() {
  w_sentinel || return 1
  W_S=$W_SENTINEL awk -F '\t' "$W_AWK_LIB"'
BEGIN { s = ENVIRON["W_S"]; print s }
{ f = $2; while ((getline l < f) > 0) { print w_cstring(l); print s }; close(f) }' "$1" >"$W_TMP/judge.in" || return 1
  ssh-keygen -E sha256 -l -f "$W_TMP/judge.in" </dev/null >"$W_TMP/judge.out" 2>/dev/null || :
  W_S=$W_SENTINEL_FP W_OUT=$W_TMP/judge.out awk -F '\t' "$W_AWK_LIB"'
# The next fingerprint line; anything else (a comment ssh-keygen printed across lines) is skipped.
function next_fp(   l, n, a) {
  while ((getline l < out) > 0) {
    if (l !~ /^[0-9]+ SHA256:[A-Za-z0-9+\/]+/) continue
    n = split(l, a, " ")
    return a[2]
  }
  return ""
}
BEGIN {
  s = ENVIRON["W_S"]
  out = ENVIRON["W_OUT"]
  if (next_fp() != s) { bad = 1; exit 1 }
}
{
  f = $2
  n = 0
  while ((getline l < f) > 0) {
    n++
    fp = next_fp()
    if (fp == "") { bad = 1; exit 1 }
    if (fp != s) {
      if (next_fp() != s) { bad = 1; exit 1 }
      printf "%s\t%d\t%s\n", $1, n, fp
    } else if (w_content(l)) {
      printf "%s\t%d\t-\n", $1, n
    }
  }
  close(f)
}
END {
  if (bad) exit 1
  if (next_fp() != "") exit 1
}' "$1" >"$2"
}

# Builds $W_TMP/candidates ("user<TAB>uid<TAB>path") from the accounts and sshd_config.
w_candidates() {
  : >>"$W_TMP/problems"
  w_accounts || w_fail "cannot read the account list"
  w_patterns
  awk -F: "$W_AWK_CANDIDATES" "$W_TMP/patterns" "$W_TMP/passwd" >"$W_TMP/candidates"
}

# Reads every candidate file into $W_TMP/copies/N; writes $W_TMP/manifest
# ("N<TAB>user<TAB>uid<TAB>file on host<TAB>copy") and adds problems for files not read.
w_manifest() {
  w_candidates
  : >"$W_TMP/manifest"
  mkdir -p -- "$W_TMP/copies"
  _mi=0
  while IFS=$W_TAB read -r _u _uid _p; do
    _mi=$((_mi + 1))
    if w_read "$_p" "$_uid" "$W_TMP/copies/$_mi"; then
      printf '%s\t%s\t%s\t%s\t%s\n' "$_mi" "$_u" "$_uid" "$_p" "$W_TMP/copies/$_mi" >>"$W_TMP/manifest"
    elif [ $? -eq 2 ]; then
      w_problem "$_u" "$_p" "$W_WHY"
    fi
    w_close
  done <"$W_TMP/candidates"
  cut -f 5 "$W_TMP/manifest" >"$W_TMP/copies.list"
  w_oversized "$W_TMP/copies.list" >"$W_TMP/oversized"
  if [ -s "$W_TMP/oversized" ]; then
    W_MAX=$W_MAX_BYTES awk -F '\t' -v pf="$W_TMP/problems" 'FNR == NR { big[$0] = 1; next }
($5 in big) { printf "%s\t%s\tlarger than %d bytes: not read\n", $2, $4, ENVIRON["W_MAX"] >> pf; next } { print }' \
      "$W_TMP/oversized" "$W_TMP/manifest" >"$W_TMP/manifest.ok"
    mv -f -- "$W_TMP/manifest.ok" "$W_TMP/manifest"
  fi
}

# The host name to report.
# w_sha256 FILE: the file's SHA-256 in hex, from sha256sum or openssl; fails when neither can give one. The inventory
# prints it near the top of its output (the part SSM itself reports), so a copy of the output in the S3 bucket, which
# any instance allowed to write there could replace, can be checked against what the host really printed.
w_sha256() {
  _h=
  if command -v sha256sum >/dev/null 2>&1; then
    _h=$(sha256sum <"$1" 2>/dev/null | awk '{ print $1 }')
  elif command -v openssl >/dev/null 2>&1; then
    _h=$(openssl dgst -sha256 -r <"$1" 2>/dev/null | awk '{ print $1 }')
  fi
  case $_h in
    *[!0-9a-f]* | '') return 1 ;;
  esac
  [ ${#_h} -eq 64 ] || return 1
  printf '%s\n' "$_h"
}

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
