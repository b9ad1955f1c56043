# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# engine.bash: helpers for tests of the podman-style engine commands (images, containers).
# Load after helpers: `load helpers; load engine`.
#
#   ENGINE_ROOT, ENGINE_RUNROOT   this test's --root / --runroot (set by engine_setup)
#   run_engine [RC|?] ARGS…       cuttle --root … --runroot … ARGS…, checked like run_cuttle
#   rootfs_tar PATH [FILE=TEXT…]  a busybox root filesystem tarball (made once per bats run,
#                                 copied), with extra files FILE containing TEXT
#   make_image NAME [FILE=TEXT…]  import such a tarball as NAME; sets $IMAGE_ID
#   skopeo_archive FORMAT PATH NAME   an image made by skopeo (tarball: transport) written as
#                                 docker-archive or oci-archive to PATH, named NAME

# engine_setup: cuttle_setup without a bundle (call cuttle_bundle for one), and
# ENGINE_ROOT/ENGINE_RUNROOT.
engine_setup() {
        CUTTLE_SETUP_BUNDLE=0 cuttle_setup "$@"
        ENGINE_ROOT=$CUTTLE_TEST_DIR/root
        ENGINE_RUNROOT=$CUTTLE_TEST_DIR/runroot
        export ENGINE_ROOT ENGINE_RUNROOT
}

engine_teardown() {
        # Image mounts and container root file systems live under ENGINE_ROOT; the common
        # teardown checks that nothing stays mounted there.
        cuttle_teardown
}

run_engine() {
        local _rc
        ! _take_rc "${1:-}" || shift
        _run_checked "$_rc" "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@"
}

_rootfs_template() {
        local tpl=$BATS_RUN_TMPDIR/cuttle-rootfs.tar
        if [ ! -f "$tpl" ]; then
                (
                        flock 9
                        if [ ! -f "$tpl" ]; then
                                local d=$BATS_RUN_TMPDIR/cuttle-rootfs.d
                                rm -rf "$d"
                                "$CUTTLE_REPO/tests/images/mkrootfs.sh" "$d" >&2 &&
                                        tar --numeric-owner -C "$d" -cf "$tpl.new" . &&
                                        mv "$tpl.new" "$tpl"
                                rm -rf "$d"
                        fi
                ) 9>"$tpl.lock" || return 1
        fi
        echo "$tpl"
}

rootfs_tar() {
        local out=$1 tpl kv d
        shift
        tpl=$(_rootfs_template) || die "making the rootfs template failed"
        if [ $# -eq 0 ]; then
                cp "$tpl" "$out"
                return
        fi
        d=$(mktemp -d "$CUTTLE_TEST_DIR/extra.XXXXXX")
        for kv in "$@"; do
                mkdir -p "$d/$(dirname "${kv%%=*}")"
                printf '%s\n' "${kv#*=}" >"$d/${kv%%=*}"
        done
        cp "$tpl" "$out"
        # only the new files: a second "./" or "./etc/" entry would be a duplicate
        # path, which podman refuses
        (cd "$d" && find . -type f | sort) >"$d.list"
        tar --numeric-owner --owner=0 --group=0 -C "$d" -rf "$out" -T "$d.list"
        rm -f "$d.list"
        rm -rf "$d"
}

make_image() {
        local name=$1
        shift
        rootfs_tar "$CUTTLE_TEST_DIR/img.tar" "$@"
        run_engine import "$CUTTLE_TEST_DIR/img.tar" "$name"
        IMAGE_ID=${lines[-1]#sha256:}
        rm -f "$CUTTLE_TEST_DIR/img.tar"
}

skopeo_archive() {
        local fmt=$1 path=$2 name=$3
        rootfs_tar "$CUTTLE_TEST_DIR/sk.tar"
        skopeo copy --quiet "tarball:$CUTTLE_TEST_DIR/sk.tar" "$fmt:$path:$name" ||
                die "skopeo copy to $fmt:$path failed"
        rm -f "$CUTTLE_TEST_DIR/sk.tar"
}
