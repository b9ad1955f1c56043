#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# container checkpoint / container restore through CRIU: a counting container continues from
# where it was; --leave-running; --export / --import (rootfs changes, --name twice); the IP
# address kept on the bridge network; podman's errors; hostile archives; nothing left behind.

load helpers
load engine

# A counter in the container's root (/cnt) and its log: resumes from /cnt if that exists, so a
# restart (not a restore) would be seen as well as a restore.
COUNTER='i=0; [ -f /cnt ] && i=$(cat /cnt); while :; do i=$((i+1)); echo $i >/cnt; echo "n $i"; sleep 0.1; done'

criu_path() {
        if [ -n "${CUTTLE_CRIU:-}" ]; then
                echo "$CUTTLE_CRIU"
        elif [ -x /opt/criu4/bin/criu ]; then
                echo /opt/criu4/bin/criu
        else
                command -v criu || true
        fi
}

setup() {
        engine_setup
        local criu
        criu=$(criu_path)
        # CI installs CRIU 4 through tools/deps.sh (tools/criu4.sh); a machine without a
        # CRIU >= 3.11 cannot checkpoint at all.
        if [ -z "$criu" ] || ! "$criu" check >/dev/null 2>&1; then
                skip "no working criu (tools/criu4.sh installs one in /opt/criu4)"
        fi
        make_image busy
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        engine_teardown
}

# The counter's value in the container's root (through exec).
counter() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" exec "$1" cat /cnt
}

# Waits until the container's counter reaches at least $2.
wait_counter() {
        local i v
        for i in $(seq 100); do
                v=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" exec "$1" cat /cnt 2>/dev/null || echo 0)
                [ "${v:-0}" -ge "$2" ] && return 0
                sleep 0.1
        done
        die "counter of $1 stayed below $2 (at $v)"
}

@test "checkpoint: the container is exited; restore continues counting where it was" {
        run_engine run -d --name c1 busy sh -c "$COUNTER"
        wait_counter c1 5
        run_engine container checkpoint c1
        is "$output" "c1"
        run_engine ps -a --format '{{.Names}} {{.Status}}'
        is "$output" "c1 Exited \(0\) .*"
        run_engine logs c1
        local before
        before=$(echo "$output" | tail -n 1 | sed 's/^n //')
        [ "$before" -ge 5 ]
        sleep 0.5
        run_engine container restore c1
        is "$output" "c1"
        run_engine ps --format '{{.Names}} {{.Status}}'
        is "$output" "c1 Up .*"
        wait_counter c1 $((before + 3))
        # the log goes on from the checkpoint's number: no "n 1" after it
        run_engine logs c1
        local ns
        ns=$(echo "$output" | sed 's/^n //' | tr '\n' ' ')
        echo "$ns" | grep -q " $before $((before + 1)) " || die "the count did not go on from $before: $ns"
        [ "$(echo "$output" | grep -c '^n 1$')" -eq 1 ] || die "the counter started again: $ns"
        # restored again after a second checkpoint too, and rm leaves nothing
        run_engine container checkpoint c1
        run_engine container restore c1
        run_engine rm -f -t 0 c1
        run_engine ps -aq
        is "$output" ""
}

@test "checkpoint --leave-running: the container keeps running; --print-stats is podman's JSON" {
        run_engine run -d --name c2 busy sh -c "$COUNTER"
        wait_counter c2 3
        run_engine container checkpoint --leave-running --print-stats c2
        echo "$output" | jq -e '.podman_checkpoint_duration > 0' >/dev/null
        echo "$output" | jq -e '.container_statistics[0].criu_statistics.pages_written > 0' >/dev/null
        echo "$output" | jq -e '.container_statistics[0].criu_statistics | has("freezing_time")' >/dev/null
        run_engine ps --format '{{.Names}} {{.Status}}'
        is "$output" "c2 Up .*"
        local v
        v=$(counter c2)
        wait_counter c2 $((v + 2))
}

@test "checkpoint --export, rm, restore --import: rootfs changes kept, counting goes on" {
        run_engine run -d --name c3 busy sh -c "echo kept >/added; rm /etc/group; $COUNTER"
        wait_counter c3 5
        run_engine container checkpoint -e "$CUTTLE_TEST_DIR/c3.tar.zst" c3
        is "$output" "c3"
        tar --zstd -tf "$CUTTLE_TEST_DIR/c3.tar.zst" >"$CUTTLE_TEST_DIR/list"
        for f in checkpoint/inventory.img config.dump spec.dump network.status rootfs-diff.tar deleted.files; do
                grep -qx "$f" "$CUTTLE_TEST_DIR/list" || die "$f missing from the archive"
        done
        run_engine logs c3
        local before
        before=$(echo "$output" | tail -n 1 | sed 's/^n //')
        run_engine rm c3
        run_engine container restore -i "$CUTTLE_TEST_DIR/c3.tar.zst"
        [[ "$output" =~ ^[0-9a-f]{64}$ ]] || die "restore --import printed '$output'"
        run_engine ps --format '{{.Names}}'
        is "$output" "c3"
        run_engine exec c3 cat /added
        is "$output" "kept"
        run_engine 1 exec c3 ls /etc/group
        wait_counter c3 $((before + 2))
        # the counter was restored, not restarted: it never went back to 1
        run_engine logs c3
        [ "$(echo "$output" | grep -c '^n 1$')" -le 1 ] || die "the counter started again"
}

@test "restore --import --name twice from one export gives two containers" {
        run_engine run -d --name c4 busy sh -c "$COUNTER"
        wait_counter c4 3
        run_engine container checkpoint -e "$CUTTLE_TEST_DIR/c4.tar.gz" --compress gzip c4
        run_engine container restore -i "$CUTTLE_TEST_DIR/c4.tar.gz" -n copy1
        run_engine container restore -i "$CUTTLE_TEST_DIR/c4.tar.gz" -n copy2
        run_engine ps --format '{{.Names}}' --sort names
        is "$output" "copy1
copy2"
        local v
        v=$(counter copy1)
        [ "$v" -ge 3 ] || die "copy1 counts from $v"
        # the name is taken now
        run_engine 125 container restore -i "$CUTTLE_TEST_DIR/c4.tar.gz" -n copy1
        run_engine ps -a --format '{{.Names}}' --sort names
        is "$output" "c4
copy1
copy2"
}

@test "restore keeps the container's IP address on the bridge network" {
        # c5 gets the second address; once "first" is gone the lowest free one is lower
        run_engine run -d --name first busy sleep 100
        run_engine run -d --name c5 busy sh -c "$COUNTER"
        wait_counter c5 2
        run_engine inspect c5 --format '{{.NetworkSettings.IPAddress}}'
        local ip=$output
        [ -n "$ip" ]
        run_engine container checkpoint c5
        run_engine rm -f -t 0 first
        run_engine container restore c5
        run_engine inspect c5 --format '{{.NetworkSettings.IPAddress}}'
        is "$output" "$ip"
        run_engine exec c5 ip -4 -o addr show eth0
        assert_line_contains "$output" "$ip/"
        # --ignore-static-ip: the lowest free address instead
        run_engine container checkpoint c5
        run_engine container restore --ignore-static-ip c5
        run_engine inspect c5 --format '{{.NetworkSettings.IPAddress}}'
        [ "$output" != "$ip" ] || die "--ignore-static-ip kept $ip"
        run_engine exec c5 cat /cnt
}

@test "checkpoint and restore errors are podman's" {
        run_engine create --name never busy true
        run_engine 125 container restore never
        is "$output" "Error: a complete checkpoint for this container cannot be found, cannot restore: stat .*/checkpoint/inventory.img: no such file or directory"
        run_engine 125 container checkpoint never
        is "$output" 'Error: "created" is not running, cannot checkpoint: container state improper'
        run_engine run --name stopped busy true
        run_engine 125 container checkpoint stopped
        is "$output" 'Error: "exited" is not running, cannot checkpoint: container state improper'
        run_engine 125 container checkpoint nosuch
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        run_engine 125 container checkpoint
        is "$output" "Error: you must provide at least one name or id"
        run_engine 125 container checkpoint --compress lz4 -e /tmp/x.tar stopped
        is "$output" 'Error: selected compression algorithm \("lz4"\) not supported. Please select one from: gzip, none, zstd'
        run_engine run -d --name up busy sleep 100
        run_engine 125 container restore up
        is "$output" "Error: container [0-9a-f]{64} is running or paused, cannot restore: container state improper"
        run_engine 125 container restore --name x up
        is "$output" "Error: --name can only be used with --import"
}

@test "restore --import of a bad archive: a clear error and nothing created" {
        run_engine run -d --name c6 busy sh -c "$COUNTER"
        wait_counter c6 2
        run_engine container checkpoint -e "$CUTTLE_TEST_DIR/good.tar" --compress none c6
        run_engine rm -f -t 0 c6

        echo "not a tar" >"$CUTTLE_TEST_DIR/junk.tar"
        run_engine 125 container restore -i "$CUTTLE_TEST_DIR/junk.tar"
        is "$output" "Error: unpacking of checkpoint archive .*junk.tar failed.*"

        # an archive without config.dump
        mkdir "$CUTTLE_TEST_DIR/noconf"
        tar -C "$CUTTLE_TEST_DIR/noconf" -xf "$CUTTLE_TEST_DIR/good.tar"
        rm "$CUTTLE_TEST_DIR/noconf/config.dump"
        tar -C "$CUTTLE_TEST_DIR/noconf" -cf "$CUTTLE_TEST_DIR/noconf.tar" .
        run_engine 125 container restore -i "$CUTTLE_TEST_DIR/noconf.tar"
        is "$output" 'Error: failed to read "config.dump" from checkpoint archive .*noconf.tar'

        # a path that climbs out of the target
        python3 - "$CUTTLE_TEST_DIR/evil.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    data = b"owned\n"
    info = tarfile.TarInfo("../../../../../evil-escape")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
EOF
        run_engine 125 container restore -i "$CUTTLE_TEST_DIR/evil.tar"
        is "$output" "Error: unpacking of checkpoint archive .*evil.tar failed.*"
        [ ! -e "$ENGINE_ROOT/evil-escape" ] && [ ! -e "$CUTTLE_TEST_DIR/evil-escape" ] &&
                [ ! -e /evil-escape ] || die "the archive wrote outside its target"

        # the missing image
        run_engine ps -aq
        is "$output" ""
        run ls "$ENGINE_ROOT/containers"
        is "$output" "" "no container directory left"
}

@test "nothing is left after checkpoint, restore and rm: no criu, mounts or netns" {
        run_engine run -d --name c7 busy sh -c "$COUNTER"
        wait_counter c7 2
        run_engine inspect c7 --format '{{.Id}}'
        local id=$output
        run_engine container checkpoint c7
        # exited: the rootfs is unmounted, the network namespace gone
        run grep -c "$id" /proc/self/mountinfo
        is "$output" "0"
        [ ! -e "$ENGINE_RUNROOT/netns/$id" ] || die "netns left after checkpoint"
        run_engine container restore c7
        run_engine rm -f -t 0 c7
        run grep -c "$ENGINE_ROOT" /proc/self/mountinfo
        is "$output" "0"
        [ -z "$(ls "$ENGINE_RUNROOT/netns" 2>/dev/null)" ] || die "netns left: $(ls "$ENGINE_RUNROOT/netns")"
        run pgrep -f "criu.*$id"
        is "$output" ""
}

@test "--runtime runc: checkpoint and restore go through runc's own checkpoint/restore" {
        command -v runc >/dev/null || skip "runc is not installed (tools/deps.sh installs it)"
        run_engine run -d --runtime runc --name c8 busy sh -c "$COUNTER"
        wait_counter c8 3
        run_engine container checkpoint c8
        run_engine ps -a --format '{{.Names}} {{.Status}}'
        is "$output" "c8 Exited \(0\) .*"
        run_engine logs c8
        local before
        before=$(echo "$output" | tail -n 1 | sed 's/^n //')
        run_engine container restore c8
        wait_counter c8 $((before + 2))
        run_engine logs c8
        [ "$(echo "$output" | grep -c '^n 1$')" -eq 1 ] || die "the counter started again"
        run_engine rm -f -t 0 c8
}

@test "restore --import with a named volume: its content travels in the archive" {
        run_engine volume create vol1
        run_engine run -d --name c9 -v vol1:/data busy sh -c "echo in-volume >/data/f; $COUNTER"
        wait_counter c9 2
        run_engine container checkpoint -e "$CUTTLE_TEST_DIR/c9.tar" c9
        tar --zstd -tf "$CUTTLE_TEST_DIR/c9.tar" | grep -qx 'volumes/vol1.tar' || die "no volumes/vol1.tar in the archive"
        run_engine rm c9
        run_engine volume rm vol1
        run_engine container restore -i "$CUTTLE_TEST_DIR/c9.tar"
        run_engine exec c9 cat /data/f
        is "$output" "in-volume"
        run_engine rm -f -t 0 c9
        run_engine volume rm vol1
}

@test "checkpoint --pre-checkpoint, then --with-previous; restore continues" {
        "$(criu_path)" check --feature mem_dirty_track >/dev/null 2>&1 ||
                skip "this kernel has no soft-dirty memory tracking (criu check --feature mem_dirty_track), which pre-checkpoints need"
        run_engine run -d --name c10 busy sh -c "$COUNTER"
        wait_counter c10 2
        run_engine container checkpoint -P c10
        run_engine ps --format '{{.Names}} {{.Status}}'
        is "$output" "c10 Up .*"
        run_engine container checkpoint --with-previous c10
        run_engine container restore c10
        local v
        v=$(counter c10)
        wait_counter c10 $((v + 2))
}
