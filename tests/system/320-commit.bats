#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# commit: a new image from a container's changes; --change, --message, --author, --pause,
# --squash, --format, -q, --iidfile; a full disk leaves nothing half-made.

load helpers
load engine

setup() {
        engine_setup
        make_image busy
        H=$CUTTLE_TEST_DIR/host
        mkdir -p "$H"
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        if [ -n "${SMALL:-}" ]; then
                "$CUTTLE" --root "$SMALL/root" --runroot "$SMALL/run" rm -af -t 0 >/dev/null 2>&1 || true
                umount -l "$SMALL/root" 2>/dev/null || true
                while read -r _ mp _; do
                        case $mp in "$SMALL"/*) umount -l "$mp" 2>/dev/null || true ;; esac
                done </proc/self/mounts
        fi
        engine_teardown
}

@test "commit: the new image has the container's changes, layered on the image's" {
        run_engine run --name c1 busy sh -c 'echo committed >/root/marker; rm /etc/group; mkdir -p /srv/d; echo f >/srv/d/f'
        run_engine commit c1 newimg
        is "${lines[0]}" "Getting image source signatures"
        id=${lines[-1]}
        is "$id" "[0-9a-f]{64}"
        assert_line_contains "Copying config sha256:$id"
        assert_line_contains "Writing manifest to image destination"
        run_engine images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
        assert_line_contains "localhost/newimg:latest ${id:0:12}"
        run_engine run --rm newimg sh -c 'cat /root/marker /srv/d/f; test -e /etc/group || echo no-group'
        is "$output" "committed
f
no-group"
        # one layer more than the image
        run_engine image inspect --format '{{len .RootFS.Layers}}' busy
        base=$output
        run_engine image inspect --format '{{len .RootFS.Layers}}' newimg
        is "$output" "$((base + 1))"
        # the container's own config comes along (its command)
        run_engine image inspect --format '{{json .Config.Cmd}}' newimg
        is "$output" '\["sh","-c","echo committed >/root/marker; rm /etc/group; mkdir -p /srv/d; echo f >/srv/d/f"\]'
        # the container is untouched and can commit again; no name: an image without a name
        run_engine commit -q c1
        is "$output" "[0-9a-f]{64}"
        run_engine images -a --format '{{.Repository}}' --filter dangling=true
        is "$output" "<none>"
}

@test "commit --change, --message, --author, --format docker, --iidfile" {
        run_engine create --name c1 busy true
        run_engine commit -q \
                --change 'CMD ["/bin/echo", "from-change"]' --change 'ENV COMMITTED=yes' \
                --change 'LABEL com.example=v1' --change 'WORKDIR /tmp' --change 'EXPOSE 8080' \
                --change 'USER 1000' --message 'a message' --author 'Someone <s@example.com>' \
                --iidfile "$H/iid" c1 changed
        id=$output
        is "$(cat "$H/iid")" "sha256:$id"
        run_engine run --rm changed
        is "$output" "from-change"
        run_engine run --rm changed sh -c 'echo $COMMITTED; pwd; id -u'
        is "$output" "yes
/tmp
1000"
        run_engine image inspect --format '{{.Labels}} {{.Author}} {{.Config.ExposedPorts}}' changed
        is "$output" "map\[com.example:v1\] Someone <s@example.com> map\[8080/tcp:.*\]"
        run_engine image history --format '{{.Comment}}' changed
        is "${lines[0]}" "a message"
        run_engine commit -q --format docker c1 dock
        run_engine image inspect --format '{{.ManifestType}}' dock
        is "$output" "application/vnd.docker.distribution.manifest.v2+json"
        run_engine 125 commit --change 'BOGUS x' c1 bad
        is "$output" 'Error: .*invalid change "BOGUS x" - invalid instruction BOGUS'
        run_engine 125 commit --format tar c1 bad
        is "$output" 'Error: unrecognized image type "tar"'
        run_engine 125 commit nosuch img
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        run_engine images --format '{{.Repository}}' --filter reference=bad
        is "$output" "" "no image from a failed commit"
}

@test "commit --squash: one layer with the whole root filesystem" {
        run_engine run --name c1 busy sh -c 'echo sq >/root/sq; rm /etc/group'
        run_engine commit -q --squash c1 squashed
        run_engine image inspect --format '{{len .RootFS.Layers}}' squashed
        is "$output" "1"
        run_engine run --rm squashed sh -c 'cat /root/sq; test -e /etc/group || echo gone; test -x /bin/busybox && echo bb'
        is "$output" "sq
gone
bb"
}

@test "commit of a running container, with and without --pause" {
        run_engine run -d --name r1 busy sh -c 'echo live >/root/live; sleep 100'
        sleep 0.3
        run_engine commit -q --pause r1 paused-img
        run_engine inspect --format '{{.State.Status}}' r1
        is "$output" "running" "the container runs on after commit --pause"
        run_engine commit -q r1 running-img
        run_engine run --rm paused-img cat /root/live
        is "$output" "live"
        run_engine run --rm running-img cat /root/live
        is "$output" "live"
}

@test "commit: a full disk leaves no image, no layer, no staging, and the container whole" {
        SMALL=$CUTTLE_TEST_DIR/small
        mkdir -p "$SMALL/root" "$SMALL/run"
        mount -t tmpfs -o size=24m tmpfs "$SMALL/root"
        S=("$CUTTLE" --root "$SMALL/root" --runroot "$SMALL/run")
        rootfs_tar "$CUTTLE_TEST_DIR/small.tar"
        "${S[@]}" import "$CUTTLE_TEST_DIR/small.tar" busy >/dev/null
        "${S[@]}" create --name c1 busy true >/dev/null
        head -c 9000000 /dev/urandom >"$H/big"
        "${S[@]}" cp "$H/big" c1:/big
        layers_before=$(ls "$SMALL/root/layers/overlay" | wc -l)
        run "${S[@]}" commit -q c1 full
        echo "$output"
        [ "$status" -eq 125 ] || die "commit on a full disk: exit $status, expected 125"
        [[ ${output,,} == error:*"no space left on device"* ]] || die "unexpected error: $output"
        run "${S[@]}" images --format '{{.Repository}}'
        is "$output" "localhost/busy" "no image from the failed commit"
        is "$(ls "$SMALL/root/layers/overlay" | wc -l)" "$layers_before" "no layer from the failed commit"
        is "$(ls -A "$SMALL/root/tmp")" "" "no staging left"
        # nothing lost from the container
        "${S[@]}" cp c1:/big "$H/big.back"
        cmp "$H/big" "$H/big.back" || die "the container's file changed"
        "${S[@]}" rm -f c1 >/dev/null
        "${S[@]}" rmi -af >/dev/null
        umount "$SMALL/root"
        SMALL=
}
