#!/bin/bash
# Installs what cuttle needs (Debian 12), builds it, makes an image from
# Debian's busybox-static and runs a container from it with cuttle, the
# podman way: import, run --rm.  Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
demo=$(mktemp -d /tmp/cuttle-demo.XXXXXX)
cuttle=(build/cuttle --root "$demo/root" --runroot "$demo/run")
cleanup() {
        "${cuttle[@]}" rm -af >/dev/null 2>&1 || true
        "${cuttle[@]}" rmi -af >/dev/null 2>&1 || true
        rm -rf "$demo"
}
trap cleanup EXIT
tests/images/mkrootfs.sh "$demo/rootfs" >/dev/null
tar --numeric-owner -C "$demo/rootfs" -cf "$demo/rootfs.tar" .
"${cuttle[@]}" import -q "$demo/rootfs.tar" localhost/busybox-demo >/dev/null
"${cuttle[@]}" images
"${cuttle[@]}" run --rm --name demo localhost/busybox-demo /bin/sh -c \
        'echo "Hello from a cuttle container: $(hostname), pid $$, $(id)"; uname -sr'
