#!/bin/bash
# Installs the Debian 12 packages cuttle needs to build, test and benchmark.
# The single source of truth for README, CI and developers.
set -euo pipefail

PACKAGES=(
        # build
        gcc pkg-config meson ninja-build
        libjansson-dev libseccomp-dev libcap-dev libsqlite3-dev libssl-dev libarchive-dev
        zlib1g-dev libzstd-dev libcurl4-openssl-dev libnftables-dev nftables
        # unit tests, fuzzing, sanitizers
        libcmocka-dev clang libclang-rt-14-dev valgrind
        # system tests: images from busybox-static, bats, helpers
        busybox-static bats bats-assert bats-support bats-file jq util-linux bsdutils
        iproute2 procps psmisc uidmap tmux zstd python3
        # --network slirp4netns and pasta: the helper programs
        slirp4netns passt
        # image round trips and registry tests
        skopeo docker-registry apache2-utils
        # the references we are compared with and tested against
        runc podman conmon golang-github-containers-common
        # bench
        gnuplot-nox hyperfine time
        # man pages (docs/*.md → man1, built when pandoc is found)
        pandoc
)

# CRIU 4 for checkpoint/restore (bookworm's 3.17 fails on kernels >= 6.13), in /opt/criu4.
# Best effort: without it `cuttle container checkpoint` reports that CRIU is missing.
criu4() {
        local here
        here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
        if [ "$(id -u)" -eq 0 ]; then
                sh "$here/criu4.sh" >/dev/null || echo "deps.sh: CRIU 4 not installed (checkpoint/restore unavailable)" >&2
        else
                sudo sh "$here/criu4.sh" >/dev/null || echo "deps.sh: CRIU 4 not installed (checkpoint/restore unavailable)" >&2
        fi
}
trap criu4 EXIT

missing=()
for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing+=("$p")
        fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
fi
# --userns auto takes its ranges from the "containers" entries (podman's documented setup);
# only a missing entry is added, nothing else in /etc is touched.
for f in /etc/subuid /etc/subgid; do
        if ! grep -q '^containers:' "$f" 2>/dev/null; then
                echo "containers:2147483647:2147483648" | $SUDO tee -a "$f" >/dev/null
        fi
done
if [ ${#missing[@]} -eq 0 ]; then
        exit 0
fi
echo "Installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
