#!/usr/bin/env bash
# Builds (or reuses) the Debian chroots that give the conformance tests OTP 27 (trixie) and
# OTP 29 (sid) beside the host's OTP 25, under ERLBRIDGE_OTP_CHROOTS (default /var/tmp/erlbridge-otp).
# A chroot that cannot be built is reported loudly and skipped; the tests then run without it.
#   --unmount   release the /proc bind mounts made here
#   ERLBRIDGE_REBUILD_CHROOTS=1 forces a fresh build.
set -uo pipefail
dir=${ERLBRIDGE_OTP_CHROOTS:-/var/tmp/erlbridge-otp}
suites=(trixie sid)

if [ "${1:-}" = "--unmount" ]; then
  for s in "${suites[@]}"; do
    mountpoint -q "$dir/$s/proc" && umount "$dir/$s/proc"
  done
  exit 0
fi

# The Debian mirror this machine's apt already uses (deb822 .sources or a classic sources.list).
mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1)
[ -n "$mirror" ] || mirror=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

works() { chroot "$1" erl -noshell -eval 'halt().' >/dev/null 2>&1; }
# TLS distribution tests need the ssl application (Debian's erlang-ssl, with public_key and crypto).
has_ssl() { chroot "$1" erl -noshell -eval '{ok, _} = application:ensure_all_started(ssl), halt().' >/dev/null 2>&1; }

prepare() {  # what a chrooted erl needs from the host: /proc and name resolution
  local root=$1
  mountpoint -q "$root/proc" || mount --bind /proc "$root/proc"
  cp /etc/hosts "$root/etc/hosts"
}

build() {
  local suite=$1 root=$dir/$1
  if [ -z "${ERLBRIDGE_REBUILD_CHROOTS:-}" ] && [ -x "$root/usr/bin/erl" ]; then
    prepare "$root"
    if works "$root"; then
      # A chroot built before the TLS tests lacks erlang-ssl: add it, or rebuild when that fails.
      if ! has_ssl "$root"; then
        cp /etc/resolv.conf "$root/etc/resolv.conf"
        chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq erlang-ssl' >>"$dir/$suite.log" 2>&1
      fi
      has_ssl "$root" && { echo "otp-chroots: reusing $root"; return 0; }
      echo "otp-chroots: $root has no working ssl; rebuilding" >&2
    fi
  fi
  mountpoint -q "$root/proc" && umount "$root/proc"
  rm -rf "$root"
  echo "otp-chroots: building $suite from $mirror"
  if ! timeout 900 debootstrap --variant=minbase --include=erlang-base,erlang-ssl "$suite" "$root" "$mirror" >"$dir/$suite.log" 2>&1; then
    echo "!!! otp-chroots: debootstrap $suite FAILED; OTP from $suite is SKIPPED (see $dir/$suite.log)" >&2
    tail -n 20 "$dir/$suite.log" >&2
    rm -rf "$root"
    return 1
  fi
  prepare "$root"
  works "$root" || { echo "!!! otp-chroots: erl in $root does not run; SKIPPED" >&2; return 1; }
  has_ssl "$root" || echo "!!! otp-chroots: ssl does not start in $root; its TLS tests will fail" >&2
}

mkdir -p "$dir"
for s in "${suites[@]}"; do build "$s" & done
wait
for s in "${suites[@]}"; do
  [ -x "$dir/$s/usr/bin/erl" ] && echo "otp-chroots: $s has OTP $(chroot "$dir/$s" erl -noshell -eval 'io:put_chars(erlang:system_info(otp_release)), halt().')"
done
exit 0
