#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkrootfs.sh DIR: make (or refresh) a minimal root filesystem in DIR for the system tests.
#
#   DIR/bin/busybox        Debian's busybox-static ($BUSYBOX, default /bin/busybox)
#   DIR/{bin,sbin,usr/bin,usr/sbin}/APPLET
#                          relative symlinks to busybox at the paths `busybox --list-full`
#                          gives (what `busybox --install -s` would make inside DIR; busybox's
#                          installer itself is never run)
#   DIR/usr/bin/probe      the static test payload ($PROBE, default
#                          ${CUTTLE_BUILD:-REPO/build}/tests/payload/probe)
#   DIR/etc/{passwd,group,hosts}   root, tester (1000:1000), nobody (65534)
#   DIR/{proc,sys,dev,run,root,home/tester}, DIR/tmp (1777)   empty
#
# Idempotent: running it again over DIR rewrites these and leaves anything else alone.
# Needs no network; takes a few milliseconds.
set -euo pipefail

die() {
        echo "mkrootfs.sh: $*" >&2
        exit 1
}

[ $# -eq 1 ] || { echo "Usage: mkrootfs.sh DIR" >&2; exit 2; }
dir=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
busybox=${BUSYBOX:-/bin/busybox}
probe=${PROBE:-${CUTTLE_BUILD:-$repo/build}/tests/payload/probe}

# A static binary has no ELF interpreter; ldd says so in one of two ways.
is_static() {
        local out
        out=$(LC_ALL=C ldd "$1" 2>&1) || true
        [[ $out == *"not a dynamic executable"* || $out == *"statically linked"* ]]
}

[ -x "$busybox" ] ||
        die "$busybox not found: install Debian's busybox-static (apt-get install busybox-static)"
is_static "$busybox" ||
        die "$busybox is not statically linked: install busybox-static, not busybox"
[ -x "$probe" ] ||
        die "probe not found at $probe: build it (meson setup -Dtests=true; ninja -C BUILD tests/payload/probe) or set PROBE"
is_static "$probe" || die "$probe is not statically linked"
command -v perl >/dev/null || die "perl (perl-base) is needed to make the applet links"
busybox=$(realpath "$busybox")
probe=$(realpath "$probe")

mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev run root home/tester tmp var/tmp
chmod 0755 . bin sbin usr usr/bin usr/sbin etc proc sys dev run home
chmod 0700 root
chmod 1777 tmp var/tmp
if [ "$(id -u)" = 0 ]; then
        chown 1000:1000 home/tester
fi

# Copy to a temporary name and rename: never writes into a binary a container may be running.
install_file() {
        local src=$1 dst=$2
        if cmp -s "$src" "$dst" 2>/dev/null; then
                return 0
        fi
        cp "$src" "$dst.tmp.$$"
        chmod 0755 "$dst.tmp.$$"
        mv -f "$dst.tmp.$$" "$dst"
}
install_file "$busybox" bin/busybox
install_file "$probe" usr/bin/probe

# One perl process makes all ~270 links (a fork of ln per link costs a second per rootfs).
# Each link is relative, so it resolves inside the container and inside a chroot alike.
# shellcheck disable=SC2016 # $ is perl's
bin/busybox --list-full | grep -v -e '^linuxrc$' -e '^bin/busybox$' | perl -ne '
        chomp;
        next unless m{^[a-z/]+/[^/]+$};
        my $target = ("../" x (tr{/}{/})) . "bin/busybox";
        my $cur = readlink $_;
        next if defined $cur && $cur eq $target;
        unlink $_;
        symlink($target, $_) or die "mkrootfs.sh: symlink $_: $!\n";
'
[ -L bin/sh ] || die "busybox gave no applet list (bin/sh is missing)"

cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:tester:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > etc/group <<'EOF'
root:x:0:
users:x:100:tester
tester:x:1000:
nobody:x:65534:
nogroup:x:65534:
EOF
cat > etc/hosts <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF
chmod 0644 etc/passwd etc/group etc/hosts
