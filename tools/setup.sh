#!/bin/bash
# Installs what cuttle needs (Debian 12), builds it, makes a small bundle
# from Debian's busybox-static and runs a container in it with cuttle's
# own OCI runtime.  Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
demo=$(mktemp -d /tmp/cuttle-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
tests/images/mkbundle.sh "$demo" /bin/sh -c \
        'echo "Hello from a cuttle container: $(hostname), pid $$, $(id)"; uname -sr' >/dev/null
build/cuttle-runtime --root "$demo/state" run --bundle "$demo" "demo-$$"
