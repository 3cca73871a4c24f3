#!/bin/sh
# Warden host inventory: lists every SSH authorized key and every locked account on this host.
#
# Runs as root through SSM Run Command (AWS-RunShellScript). POSIX sh + POSIX awk (dash/mawk,
# bash, busybox); reads only, never changes anything.
#
# Usage: inventory.sh [--offset N --limit M]
#
# Output (one record per line, fields separated by TAB):
#   WARDEN-INVENTORY v1 <hostname>
#   SEAL sha256=<hex>                 SHA-256 of every byte after this line (absent when the host has
#        neither sha256sum nor openssl); SSM reports the top of the output itself, so the seal vouches
#        for a copy read from the S3 output bucket, which other instances may be able to write
#   K <user> <file> <line> <key type> <key body> <comment> <fingerprint>   a line OpenSSH reads
#        as a key (fingerprint as ssh-keygen -l prints it; body canonical: whitespace removed)
#   X <user> <file> <line> <reason>   a line that is neither blank, a comment nor a key to OpenSSH
#   E <user> <file> <reason>          a file not read: unreadable, symlink, FIFO or device, too large
#   A <user> <uid>                    an account (enumerated, or found by its home folder's name)
#   L <user> <expired|not-expired>    password locked ("!" in shadow)
#   END <number of K, E and L lines>
# The caller compares END's count with the lines it received to detect truncated output.
#
# Paging. SSM keeps only the first 24,000 characters of stdout, so large inventories are read in
# byte windows of the output above: `--offset N --limit M` prints
#   WARDEN-PAGE v1 offset=N length=L total=T cksum=C [sha256=H]
#   <bytes N .. N+L-1 of the output, base64, 76 characters a line>
#   PAGE-END
# where T is the whole output's size in bytes, C its POSIX `cksum` CRC and H its SHA-256. Base64 keeps byte
# offsets exact whatever bytes comments hold. The caller starts at offset 0, continues at
# offset + length until it reaches T, and checks that every page reports the same T and C and that
# the joined bytes have that CRC (the host may change between calls: then it starts again).
# With M = 16384 a page is under 22,500 characters. Without paging options the output is printed
# as is; when it is not complete (no END, or the count differs), read it again with paging.
#
# WARDEN_HOST_ROOT=DIR reads a simulated host under DIR (DIR/etc/passwd, DIR/etc/shadow,
# DIR/etc/ssh/sshd_config, homes under DIR) instead of this machine: used by the sandbox and tests.
set -eu
LC_ALL=C
export LC_ALL
umask 077

. "$(dirname "$0")/common.sh" # warden:inline common.sh

usage() {
  echo "usage: inventory.sh [--offset BYTES --limit BYTES]" >&2
  exit 2
}

offset=
limit=
while [ $# -gt 0 ]; do
  case $1 in
    --offset) [ $# -ge 2 ] || usage; offset=$2; shift 2 ;;
    --limit) [ $# -ge 2 ] || usage; limit=$2; shift 2 ;;
    --help | -h) usage ;;
    *) usage ;;
  esac
done
case $offset in *[!0-9]*) usage ;; esac
case $limit in *[!0-9]*) usage ;; esac
if [ -n "$limit" ] && [ -z "$offset" ]; then offset=0; fi
if [ -n "$offset" ] && [ -z "$limit" ]; then limit=16384; fi
if [ -n "$limit" ] && [ "$limit" -eq 0 ]; then usage; fi

: >"$W_TMP/problems"
w_manifest
awk -F '\t' '{ print $1 "\t" $5 }' "$W_TMP/manifest" >"$W_TMP/judge.list"
if [ -s "$W_TMP/judge.list" ] && ! w_judge "$W_TMP/judge.list" "$W_TMP/judged"; then
  judged=
else
  judged=1
  : >>"$W_TMP/judged"
fi

{
  if [ -n "$judged" ]; then
    W_JUDGED=$W_TMP/judged awk -F '\t' "$W_AWK_LIB"'
BEGIN {
  w_init_types()
  jf = ENVIRON["W_JUDGED"]
  while ((getline j < jf) > 0) { split(j, a, "\t"); fp[a[1] SUBSEP a[2]] = a[3] }
  close(jf)
}
{
  id = $1; user = $2; disp = $4; f = $5
  n = 0
  while ((getline line < f) > 0) {
    n++
    if (!((id SUBSEP n) in fp)) continue
    k = fp[id SUBSEP n]
    if (k == "-") { printf "X\t%s\t%s\t%d\t%s\n", user, disp, n, "not a key OpenSSH reads"; continue }
    if (w_parse_line(line)) printf "K\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", user, disp, n, W_KTYPE, W_KBODY, W_KCOMMENT, k
    else printf "X\t%s\t%s\t%d\t%s\n", user, disp, n, "OpenSSH reads key " k " here but Warden cannot isolate it"
  }
  close(f)
}' "$W_TMP/manifest"
  else
    printf 'E\t*\t*\t%s\n' "ssh-keygen unavailable or unusable: keys cannot be judged as OpenSSH reads them"
  fi

  awk -F '\t' '{ printf "E\t%s\t%s\t%s\n", $1, $2, $3 }' "$W_TMP/problems"

  awk -F: '$3 ~ /^[0-9]+$/ && $1 != "" && $1 !~ /[\t\r]/ && !seen[$1]++ { printf "A\t%s\t%s\n", $1, $3 }' "$W_TMP/passwd"

  if [ -n "$W_ROOT" ] && [ ! -e "$W_ROOT/etc/shadow" ]; then
    :
  elif w_shadow >"$W_TMP/shadow" 2>/dev/null; then
    awk -F: -v today="$(w_today)" '
$2 ~ /^!/ && $1 != "" {
  x = $8 + 0
  printf "L\t%s\t%s\n", $1, ($8 != "" && x > 0 && x <= today) ? "expired" : "not-expired"
}' "$W_TMP/shadow"
  else
    printf 'E\t*\t/etc/shadow\tunreadable: locked accounts unknown\n'
  fi
} >"$W_TMP/records"

count=$(($(wc -l <"$W_TMP/records")))
{
  cat -- "$W_TMP/records"
  printf 'END %d\n' "$count"
} >"$W_TMP/body"
# The seal (second line) is the SHA-256 of everything after it: SSM reports the top of the output itself, so the seal
# it reports vouches for the rest when the rest is read from the S3 output bucket.
{
  printf 'WARDEN-INVENTORY v1 %s\n' "$(w_hostname)"
  if seal=$(w_sha256 "$W_TMP/body"); then printf 'SEAL sha256=%s\n' "$seal"; fi
  cat -- "$W_TMP/body"
} >"$W_TMP/full"

if [ -z "$offset" ]; then
  cat -- "$W_TMP/full"
  exit 0
fi

total=$(($(wc -c <"$W_TMP/full")))
crc=$(cksum <"$W_TMP/full" | awk '{ print $1 }')
sha=
if full_sha=$(w_sha256 "$W_TMP/full"); then sha=" sha256=$full_sha"; fi
if [ "$offset" -ge "$total" ]; then
  length=0
else
  length=$((total - offset))
  if [ "$length" -gt "$limit" ]; then length=$limit; fi
fi
printf 'WARDEN-PAGE v1 offset=%d length=%d total=%d cksum=%s%s\n' "$offset" "$length" "$total" "$crc" "$sha"
if [ "$length" -gt 0 ]; then
  od -A n -v -t u1 -j "$offset" -N "$length" "$W_TMP/full" | awk '
BEGIN {
  a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for (i = 0; i < 64; i++) e[i] = substr(a, i + 1, 1)
  n = 0
  line = ""
}
function out(s) {
  line = line s
  if (length(line) >= 76) { print substr(line, 1, 76); line = substr(line, 77) }
}
{
  for (f = 1; f <= NF; f++) {
    b[n++] = $f + 0
    if (n == 3) {
      v = b[0] * 65536 + b[1] * 256 + b[2]
      out(e[int(v / 262144)] e[int(v / 4096) % 64] e[int(v / 64) % 64] e[v % 64])
      n = 0
    }
  }
}
END {
  if (n == 1) { v = b[0] * 65536; out(e[int(v / 262144)] e[int(v / 4096) % 64] "==") }
  if (n == 2) { v = b[0] * 65536 + b[1] * 256; out(e[int(v / 262144)] e[int(v / 4096) % 64] e[int(v / 64) % 64] "=") }
  if (line != "") print line
}'
fi
echo 'PAGE-END'
