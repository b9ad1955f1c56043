#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# User namespaces end to end: --uidmap/--gidmap and --userns auto with the built-in runtime
# and runc; the root filesystem (idmapped overlay layers: the image's files appear owned by
# the container's root, what it writes is owned by the mapped ids on the host); -v …:idmap;
# the engine's files; exec / top / cp / commit / restart; inspect; bad input.

load helpers
load engine

MAP=0:100000:65536

setup() {
        engine_setup
        make_image busy
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        # nothing of the idmapped mounts may stay (the common teardown checks the mounts)
        if [ -d "$ENGINE_RUNROOT/idmap" ]; then
                local left
                left=$(find "$ENGINE_RUNROOT/idmap" -mindepth 1)
                [ -z "$left" ] || die "left in $ENGINE_RUNROOT/idmap: $left"
        fi
        engine_teardown
}

# The owner (uid:gid) of the host path $1.
owner() {
        stat -c %u:%g "$1"
}

# The container's view, the same for both runtimes.
check_view() {
        local rt=("$@")
        run_engine "${rt[@]}" run --rm --network none --uidmap $MAP --gidmap $MAP busy sh -c \
                'id -u; id -g; cat /proc/self/uid_map; stat -c %u:%g / /bin/busybox /etc/passwd; echo x >/written; stat -c %u /written; echo >>/etc/hosts && echo hosts-ok'
        local lines
        mapfile -t lines <<<"$output"
        is "${lines[0]}" 0 "id -u"
        is "${lines[1]}" 0 "id -g"
        is "$(echo ${lines[2]})" "0 100000 65536" "uid_map"
        is "${lines[3]}" 0:0 "owner of /"
        is "${lines[4]}" 0:0 "owner of an image file"
        is "${lines[5]}" 0:0 "owner of /etc/passwd"
        is "${lines[6]}" 0 "a written file"
        is "${lines[7]}" hosts-ok "/etc/hosts is writable by the container's root"
}

@test "userns: --uidmap, built-in runtime: the container's view" {
        check_view
}

@test "userns: --uidmap with runc" {
        skip_if_no runc "the comparison needs runc"
        # runc opens the rootfs and bind sources as the container's root (podman's storage is
        # 0711 for this reason): the test's private directories must be searchable
        local d=$ENGINE_ROOT
        while [ "$d" != / ] && [ "$d" != "${BATS_RUN_TMPDIR%/*}" ]; do
                chmod o+x "$d" 2>/dev/null || true
                d=$(dirname "$d")
        done
        check_view --runtime runc
}

@test "userns: host owners of what the container writes, exec, top, cp, commit, restart" {
        run_engine run -d --name u1 --network none --uidmap $MAP busy sleep 1000
        run_engine exec u1 sh -c 'echo made >/made; id -u; cat /proc/self/uid_map'
        is "$(echo ${output})" "0 0 100000 65536" "exec joins the user namespace"
        run_engine mount u1
        local m=$output
        is "$(owner "$m/made")" 100000:100000 "a file the container wrote, on the host"
        is "$(owner "$m/bin/busybox")" 100000:100000 "an image file, seen through the merged root"
        # cp in: owned by the container's root (host: the mapped uid); -a keeps the user
        echo hi >"$CUTTLE_TEST_DIR/f"
        chown 1234:1234 "$CUTTLE_TEST_DIR/f"
        run_engine cp "$CUTTLE_TEST_DIR/f" u1:/cpf
        is "$(owner "$m/cpf")" 100000:100000 "cp into the container, on the host"
        run_engine exec u1 stat -c %u:%g /cpf
        is "$output" 0:0 "cp into the container, inside"
        # cp out: host files of our own
        run_engine cp u1:/made "$CUTTLE_TEST_DIR/made"
        is "$(owner "$CUTTLE_TEST_DIR/made")" 0:0 "cp out of the container"
        is "$(cat "$CUTTLE_TEST_DIR/made")" made
        run_engine top u1 user huser pid
        is "$(echo ${lines[1]})" "root 100000 1" "top: container user and host user"
        run_engine umount u1
        # restart: the same view again
        run_engine restart -t 0 u1
        run_engine exec u1 stat -c %u:%g / /bin/busybox /made
        is "$(echo ${output})" "0:0 0:0 0:0" "after restart"
        # commit records the container's owners, not the host's
        run_engine commit -q u1 committed
        run_engine run --rm --network none committed stat -c %u:%g /made /cpf
        is "$(echo ${output})" "0:0 0:0" "owners in the committed image"
        run_engine rm -f -t 0 u1
}

@test "userns: inspect shows the mappings" {
        run_engine create --name i1 --uidmap 0:100000:1000 --uidmap 1000:300000:10 --gidmap 0:200000:1010 busy true
        run_engine inspect --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}}' i1
        is "$output" 'private {"UidMap":["0:100000:1000","1000:300000:10"],"GidMap":["0:200000:1010"]}'
        run_engine create --name i2 busy true
        run_engine inspect --format '{{.HostConfig.UsernsMode}}|{{json .HostConfig.IDMappings}}' i2
        is "$output" '|null' "no user namespace"
}

@test "userns: -v SRC:DST:idmap, both ways" {
        local v=$CUTTLE_TEST_DIR/vol
        mkdir -p "$v"
        echo a >"$v/root-owned"
        echo b >"$v/user-owned"
        chown 1000:1000 "$v/user-owned"
        run_engine run --rm --network none --uidmap $MAP -v "$v:/v:idmap" busy sh -c \
                'stat -c %n=%u:%g /v/root-owned /v/user-owned; echo c >/v/new'
        is "$(echo ${output})" "/v/root-owned=0:0 /v/user-owned=1000:1000" "host owners as seen inside"
        is "$(owner "$v/new")" 0:0 "a file the container's root made, on the host"
        # without idmap the host's ids are not the container's
        run_engine run --rm --network none --uidmap $MAP -v "$v:/v" busy stat -c %u /v/root-owned
        is "$output" 65534 "unmapped without idmap"
        # idmap=uids=…;gids=…: host ids HOST… appear as CONTAINER…
        run_engine run --rm --network none --uidmap $MAP \
                -v "$v:/v:idmap=uids=0-100000-10#1000-101000-1;gids=0-100000-1" busy stat -c %u:%g /v/root-owned /v/user-owned
        is "$(echo ${output})" "0:0 1000:65534" "custom idmap"
}

@test "userns: named volumes and engine files belong to the container's root" {
        run_engine volume create nv
        run_engine run --rm --network none --uidmap $MAP -v nv:/nv busy sh -c \
                'touch /nv/x && stat -c %u:%g /nv /nv/x /etc/hostname /etc/resolv.conf /run/.containerenv'
        is "$(echo ${output})" "0:0 0:0 0:0 0:0 0:0"
        run_engine volume inspect --format '{{.Mountpoint}}' nv
        is "$(owner "$output/x")" 100000:100000 "the volume's file on the host"
}

@test "userns: --userns auto: distinct ranges for concurrent containers" {
        grep -q '^containers:' /etc/subuid || skip "no containers entry in /etc/subuid (tools/deps.sh adds it)"
        local i pids=()
        for i in 1 2 3 4 5; do
                "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run -d --name a$i \
                        --network none --userns auto busy sleep 1000 >"$CUTTLE_TEST_DIR/a$i.out" 2>&1 &
                pids+=($!)
        done
        for i in "${pids[@]}"; do
                wait "$i" || die "a concurrent run failed: $(cat "$CUTTLE_TEST_DIR"/a*.out)"
        done
        local maps=()
        for i in 1 2 3 4 5; do
                run_engine exec a$i cat /proc/self/uid_map
                maps+=("$(echo $output)")
                run_engine inspect --format '{{.HostConfig.UsernsMode}}' a$i
                is "$output" auto
        done
        local starts
        starts=$(printf '%s\n' "${maps[@]}" | awk '{print $2}' | sort -n)
        is "$(uniq <<<"$starts" | wc -l)" 5 "five distinct ranges: ${maps[*]}"
        # and no two overlap (each is 1024 wide by default)
        local prev=-1 s
        for s in $starts; do
                [ "$prev" -lt 0 ] || [ $((s - prev)) -ge 1024 ] || die "overlapping ranges: ${maps[*]}"
                prev=$s
        done
        run_engine run --rm --network none --userns auto:size=2000 busy cat /proc/self/uid_map
        is "$(echo $output | awk '{print $3}')" 2000 "auto:size="
}

@test "userns: bad input is refused, nothing left behind" {
        run_engine 125 run --rm --uidmap 0:100000:10 --uidmap 5:200000:10 busy true
        assert_line_contains "conflicting UID mappings 0:100000:10 and 5:200000:10 (overlapping container ids)"
        run_engine 125 run --rm --uidmap 0:100000:10 --uidmap 20:100005:10 busy true
        assert_line_contains "overlapping host ids"
        run_engine 125 run --rm --uidmap 0:100000 busy true
        assert_line_contains 'UID setting is malformed expected ["uint32:uint32:uint32"]: ["0:100000"]'
        run_engine 125 run --rm --uidmap 0:4294967295:10 busy true
        assert_line_contains "invalid UID mapping 0:4294967295:10"
        run_engine 125 run --rm --userns auto:size=4294967295 busy true
        assert_line_contains "could not find enough available IDs"
        run_engine 125 run --rm --userns keep-id busy true
        is "$output" "Error: keep-id is only supported in rootless mode"
        run_engine 125 run --rm --uidmap $MAP -v "$CUTTLE_TEST_DIR:/v:idmap=uids=0-1-x" busy true
        assert_line_contains 'malformed UID mapping "0-1-x"'
        # a source whose file system cannot be idmapped: refused at start, all undone
        run_engine 125 run --rm --network none --uidmap $MAP -v /proc:/p:idmap busy true
        assert_line_contains 'cannot idmap mount "/proc"'
        run_engine 125 run --rm --network none -v "$CUTTLE_TEST_DIR:/v:idmap" busy true
        assert_line_contains "idmapped mounts need a user namespace"
        run_engine ps -a --format '{{.Names}}'
        is "$output" "" "no container left"
}

@test "userns: the same flags under podman" {
        skip_if_no podman "the comparison needs podman"
        skip_if_no runc "podman runs with runc here"
        local p=$CUTTLE_TEST_DIR/podman
        mkdir -p "$p"
        printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$p/containers.conf"
        local d=$CUTTLE_TEST_DIR
        while [ "$d" != / ] && [ "$d" != "${BATS_RUN_TMPDIR%/*}" ]; do
                chmod o+x "$d" 2>/dev/null || true
                d=$(dirname "$d")
        done
        rootfs_tar "$p/rootfs.tar"
        local pm=(env CONTAINERS_CONF="$p/containers.conf" podman --root "$p/root" --runroot "$p/runroot"
                  --runtime runc --storage-driver vfs)
        "${pm[@]}" import "$p/rootfs.tar" localhost/pbusy >/dev/null 2>&1 || skip "podman cannot import here"
        local cmd='id -u; cat /proc/self/uid_map; stat -c %u:%g / /bin/busybox'
        local want got
        want=$("${pm[@]}" run --rm --network none --uidmap $MAP --gidmap $MAP localhost/pbusy sh -c "$cmd" 2>&1)
        run_engine run --rm --network none --uidmap $MAP --gidmap $MAP busy sh -c "$cmd"
        got=$output
        local pwant
        pwant=$("${pm[@]}" run --rm --userns keep-id localhost/pbusy true 2>&1 || true)
        "${pm[@]}" rm -af -t 0 >/dev/null 2>&1 || true
        "${pm[@]}" rmi -af >/dev/null 2>&1 || true
        "${pm[@]}" system reset -f >/dev/null 2>&1 || true
        is "$(echo $got)" "$(echo $want)" "cuttle and podman agree"
        run_engine 125 run --rm --userns keep-id busy true
        is "$output" "$pwant" "keep-id error text"
}

@test "userns: cuttle-runtime with a private (0700) bundle, bind source and state dir" {
        # (the mount point exists: the container root may not create one in a root it does
        # not own.)  runc refuses this bundle (it opens the rootfs as the container's root); ours opens
        # what only the host's root may reach before it becomes the container's root
        cuttle_bundle
        mkdir -p "$CUTTLE_TEST_DIR/private/data"
        echo secret >"$CUTTLE_TEST_DIR/private/data/f"
        chmod 700 "$BUNDLE" "$CUTTLE_TEST_DIR/private" "$CUTTLE_TEST_DIR"
        bundle_jq '.linux.namespaces += [{"type": "user"}]
                | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
                | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
                | .process.terminal = false
                | .mounts += [{"destination": "/home", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
                --arg s "$CUTTLE_TEST_DIR/private/data"
        run_in_container sh -c 'id -u; cat /proc/self/uid_map; stat -c %u /bin/busybox; ls /home'
        is "$(echo $output)" "0 0 100000 65536 65534 f" "root of its namespace; the host's files unmapped"
        # exec joins the user namespace, then the others
        bundle_args sleep 100
        run_runtime run -d --bundle "$BUNDLE" "$CID-2"
        run_runtime exec "$CID-2" cat /proc/self/uid_map
        is "$(echo $output)" "0 100000 65536" "exec"
        run_runtime delete -f "$CID-2"
}
