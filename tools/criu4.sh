#!/bin/sh
# criu4.sh - a working CRIU 4 for cuttle's checkpoint/restore on Debian 12, in a private prefix.
#
# Debian 12's criu 3.17 fails on kernels >= 6.13 (the [vvar_vclock] VMA: "Unexpected rt vDSO
# area bounds").  Debian 13 (trixie) has CRIU 4, which needs trixie's glibc.  So this script
# fetches trixie's criu and the libraries it links (glibc and its loader included) with
# `apt-get download` through a private apt state, unpacks them with `dpkg-deb -x` into
# $CRIU4_PREFIX/root, and writes $CRIU4_PREFIX/bin/criu, a wrapper that starts criu through
# the prefix's own loader.  No package is installed; /etc/apt and /var/lib/apt are untouched.
#
# cuttle looks for criu as: $CUTTLE_CRIU, then /opt/criu4/bin/criu, then criu on PATH.
#
# Usage: tools/criu4.sh          idempotent (FORCE=1 unpacks again)
# Env:   CRIU4_PREFIX   default /opt/criu4
#        CRIU4_APTDIR   private apt lists and cache, default /var/cache/cuttle-criu4-apt
#        CRIU4_MIRROR   default: the first URIs: of /etc/apt/sources.list.d/debian.sources
#                       (or the first deb line of /etc/apt/sources.list)
# Output: the wrapper's path on stdout (last line); progress on stderr.  Exit 1 on failure.
set -eu

prefix=${CRIU4_PREFIX:-/opt/criu4}
aptdir=${CRIU4_APTDIR:-/var/cache/cuttle-criu4-apt}
suite=trixie
wrapper=$prefix/bin/criu
libdir=$prefix/root/usr/lib/x86_64-linux-gnu
# What trixie's criu loads (its Depends, recursively, as shared libraries) plus libgcc-s1,
# which glibc loads at run time.
packages="criu libcompel1 libc6 libgcc-s1 libbsd0 libmd0 libffi8 libgmp10 libgnutls30t64
libhogweed6t64 libnettle8t64 libidn2-0 libunistring5 libp11-kit0 libtasn1-6 libjansson4 libmnl0
libnftnl11 libnftables1 libxtables12 libnet1 libnl-3-200 libprotobuf-c1 libuuid1"

say() { echo "criu4.sh: $*" >&2; }
fail() { say "error: $*"; exit 1; }

usable() {
	[ -x "$wrapper" ] || return 1
	ver=$("$wrapper" --version 2>/dev/null | sed -n 's/^Version: *//p')
	case "$ver" in [4-9].* | [1-9][0-9]*) ;; *) return 1 ;; esac
	grep -q CRIU_FAULT "$wrapper" || return 1  # written by an older criu4.sh
	"$wrapper" check >/dev/null 2>&1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root"
[ "$(dpkg --print-architecture)" = amd64 ] || fail "only amd64 is supported"

if [ "${FORCE:-0}" != 1 ] && usable; then
	say "$("$wrapper" --version | head -n 1) already in $prefix"
	echo "$wrapper"
	exit 0
fi

mirror=${CRIU4_MIRROR:-}
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list.d/debian.sources ]; then
	mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
	mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || fail "no Debian mirror found; set CRIU4_MIRROR"

mkdir -p "$aptdir/sources.list.d" "$aptdir/lists/partial" "$aptdir/archives/partial"
printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
	"$mirror" "$suite" >"$aptdir/sources.list.d/$suite.sources"
set -- -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$aptdir/sources.list.d" \
	-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir" \
	-o "Dir::Cache::Archives=$aptdir/archives" -o Dir::Cache::pkgcache= \
	-o Dir::Cache::srcpkgcache= -o APT::Architectures=amd64

if ! ls "$aptdir/lists/"*"_dists_${suite}_main_binary-amd64_Packages"* >/dev/null 2>&1; then
	say "fetching the $suite package lists from $mirror (private: $aptdir)"
	apt-get "$@" -q update >&2 || fail "apt-get update of the $suite lists failed"
fi
candidate=$(apt-cache "$@" policy criu | awk '$1 == "Candidate:" { print $2 }')
case "$candidate" in 4.* | [5-9].*) ;; *) fail "$suite offers criu '$candidate', not 4.x" ;; esac

# The .debs stay in $prefix/debs: a second run works offline.
debs=$prefix/debs
mkdir -p "$debs"
missing=""
for p in $packages; do
	ls "$debs/${p}_"*.deb >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "downloading:$missing"
	# shellcheck disable=SC2086
	(cd "$debs" && apt-get "$@" -q download $missing) >&2 || fail "apt-get download failed"
	for p in $missing; do
		ls "$debs/${p}_"*.deb >/dev/null 2>&1 || fail "$p was not downloaded"
	done
fi

# Unpack into a new tree; it replaces the old one only once complete.
staging=$prefix/root.tmp
rm -rf "$staging"
mkdir -p "$staging"
for p in $packages; do
	# shellcheck disable=SC2012
	dpkg-deb -x "$(ls -t "$debs/${p}_"*.deb | head -n 1)" "$staging"
done
rm -rf "$staging/usr/share/doc" "$staging/usr/share/man" "$staging/usr/share/locale"
slib=$staging/usr/lib/x86_64-linux-gnu
[ -x "$slib/ld-linux-x86-64.so.2" ] || fail "the $suite loader is missing from $slib"
[ -x "$staging/usr/sbin/criu" ] || fail "criu is missing from $staging/usr/sbin"
deps=$("$slib/ld-linux-x86-64.so.2" --library-path "$slib" --list "$staging/usr/sbin/criu") ||
	fail "criu's libraries do not resolve: $deps"
outside=$(printf '%s\n' "$deps" | grep '=>' | grep -v "=> $slib/" || true)
[ -z "$outside" ] || fail "libraries found outside the prefix: $outside"
rm -rf "$prefix/root.old"
[ ! -d "$prefix/root" ] || mv "$prefix/root" "$prefix/root.old"
mv "$staging" "$prefix/root"
rm -rf "$prefix/root.old"

# The loader's --library-path applies to criu alone: what criu execs (ip, iptables, action
# scripts) keeps the system's libraries.
# CRIU_FAULT=130 is criu's FI_NO_BREAKPOINTS: the parasite is stopped by tracing syscalls
# instead of with an x86 hardware breakpoint.  In some VMs (Firecracker) debug registers never
# fire and `criu dump` hangs for ever in "Waiting for PID to trap"; tracing costs a few ms.
mkdir -p "$prefix/bin"
cat >"$wrapper.tmp" <<EOF
#!/bin/sh
# criu $candidate (Debian $suite) through its own loader; written by cuttle's tools/criu4.sh
CRIU_FAULT=\${CRIU_FAULT:-130}
export CRIU_FAULT
exec "$libdir/ld-linux-x86-64.so.2" --library-path "$libdir" --argv0 criu "$prefix/root/usr/sbin/criu" "\$@"
EOF
chmod 0755 "$wrapper.tmp"
mv "$wrapper.tmp" "$wrapper"

"$wrapper" --version >&2 || fail "$wrapper does not start"
if ! out=$("$wrapper" check 2>&1); then
	printf '%s\n' "$out" >&2
	fail "'criu check' failed"
fi
say "criu check: $(printf '%s\n' "$out" | tail -n 1)"
echo "$wrapper"
