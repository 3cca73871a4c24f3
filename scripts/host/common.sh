# Warden host library (scripts/host/common.sh): accounts, authorized_keys files and key-line
# parsing shared by inventory.sh and revoke.sh. POSIX sh. On a host each script sources it from
# its own folder; for SSM Run Command Warden inlines it into the one script it sends
# (src/adapters/hosts/host-script-protocol.ts, loadHostScripts), replacing the source line below.
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
