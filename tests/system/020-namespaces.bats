#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# linux.namespaces, seen from inside the container: a namespace asked for is new (its
# /proc/self/ns inode differs from the runtime's), one not asked for is the host's, one
# given by path is joined (same inode, same state); user namespaces with id mappings; the
# pid namespace; time namespaces; exec joins all of the container's namespaces.

# shellcheck disable=SC2016,SC2030,SC2031 # $ in jq filters and container scripts; tests are subshells
load helpers


teardown() {
        if [ -n "${HOLDER_PID:-}" ]; then
                kill -KILL "$HOLDER_PID" 2>/dev/null || true
                wait "$HOLDER_PID" 2>/dev/null || true
        fi
        if [ -n "${NETNS:-}" ]; then
                ip netns del "$NETNS" 2>/dev/null || true
        fi
        cuttle_teardown
}

# The namespaces /proc/PID/ns names (time and user are never in the default config).
ALL_NS="pid net ipc uts mnt cgroup time user"

# A script printing "NAME TYPE:[INODE]" for each of ALL_NS, for sh -c in the container.
NS_SCRIPT="for n in $ALL_NS; do echo \"\$n \$(readlink /proc/self/ns/\$n)\"; done"

# host_ns NAME: this shell's (the runtime's) namespace NAME, as readlink shows it.
host_ns() {
        readlink "/proc/$$/ns/$1"
}

# ns_of NAME: the "TYPE:[INODE]" the container printed for NAME (from $output of NS_SCRIPT).
ns_of() {
        local l
        for l in "${lines[@]}"; do
                if [ "${l%% *}" = "$1" ]; then
                        echo "${l#* }"
                        return 0
                fi
        done
        die "the container printed no namespace '$1': $output"
}

# assert_new_ns NAME…: each is a namespace of its own, not the host's.
assert_new_ns() {
        local n got
        for n in "$@"; do
                got=$(ns_of "$n")
                is "$got" "$n:\[[0-9]+\]" "the container's $n namespace"
                [ "$got" != "$(host_ns "$n")" ] ||
                        die "the container's $n namespace is the host's: $got"
        done
}

# assert_host_ns NAME…: each is the host's.
assert_host_ns() {
        local n
        for n in "$@"; do
                is "$(ns_of "$n")" "$(host_ns "$n")" "the container shares the host's $n namespace"
        done
}

# set_namespaces TYPE[=PATH]…: linux.namespaces = exactly these; without a new uts
# namespace, no hostname or domainname either (they would be an error).
set_namespaces() {
        local json='[]' t
        if [[ " $* " != *" uts "* ]]; then
                bundle_jq 'del(.hostname) | del(.domainname)'
        fi
        for t in "$@"; do
                if [[ $t == *=* ]]; then
                        json=$(jq -c '. + [{type: $t, path: $p}]' --arg t "${t%%=*}" \
                                --arg p "${t#*=}" <<<"$json")
                else
                        json=$(jq -c '. + [{type: $t}]' --arg t "$t" <<<"$json")
                fi
        done
        bundle_jq '.linux.namespaces = $ns' --argjson ns "$json"
}

# start_holder UNSHARE-OPTS… -- SCRIPT: a process in namespaces of its own (unshare), which
# runs SCRIPT (sh) and then sleeps; sets $HOLDER_PID once SCRIPT is done.
start_holder() {
        local opts=()
        while [ "$1" != -- ]; do
                opts+=("$1")
                shift
        done
        shift
        local ready=$CUTTLE_TEST_DIR/holder.ready
        rm -f "$ready"
        (cd / && exec unshare "${opts[@]}" sh -c "$1"' && : >"$0" && exec sleep 120' "$ready") \
                </dev/null >/dev/null 2>&1 3>&- &
        HOLDER_PID=$!
        wait_for_file "$ready"
}

# userns_bundle HOST-UID HOST-GID: chown the rootfs to the container's root (HOST-UID,
# HOST-GID; /home/tester to 1000 above them), and make the path to the bundle searchable by
# anyone: the init, root of a user namespace, is nobody outside it.
userns_bundle() {
        chown -R "$1:$2" "$BUNDLE/rootfs"
        chown "$(($1 + 1000)):$(($2 + 1000))" "$BUNDLE/rootfs/home/tester"
        local d=$BUNDLE
        while [ "$d" != / ]; do
                if [ "$(( 8#$(stat -c %a "$d") & 1 ))" -eq 0 ]; then
                        case "$d" in
                        "${BATS_RUN_TMPDIR:-/nonexistent}" | "${BATS_RUN_TMPDIR:-/nonexistent}"/*)
                                chmod o+x "$d" ;;
                        *) skip "$d is not searchable by others" ;;
                        esac
                fi
                d=$(dirname "$d")
        done
}

# ---------------------------------------------------------------------------- new

@test "cuttle-runtime namespaces: pid, net, ipc, uts, mnt, cgroup asked for are new" {
        set_namespaces pid network ipc uts mount cgroup
        run_in_container 0 sh -c "$NS_SCRIPT"
        assert_new_ns pid net ipc uts mnt cgroup
        assert_host_ns time user
}

@test "cuttle-runtime namespaces: those not asked for are the host's" {
        set_namespaces mount pid
        run_in_container 0 sh -c "$NS_SCRIPT"
        assert_new_ns mnt pid
        assert_host_ns net ipc uts cgroup time user

        set_namespaces mount
        run_in_container 0 sh -c "$NS_SCRIPT; probe pid"
        assert_host_ns pid
        is "${lines[-1]}" "pid=[0-9]+ ppid=[0-9]+" "probe pid without a pid namespace"
        [[ ${lines[-1]} != "pid=1 "* ]] || die "pid 1 without a pid namespace: ${lines[-1]}"
}

@test "cuttle-runtime namespaces: time asked for is new" {
        set_namespaces pid mount time
        run_in_container 0 sh -c "$NS_SCRIPT"
        assert_new_ns time pid mnt
}

@test "cuttle-runtime namespaces: time namespace with linux.timeOffsets" {
        set_namespaces pid mount time
        bundle_jq '.linux.timeOffsets = {boottime: {secs: 864000, nanosecs: 0},
                                         monotonic: {secs: 864000, nanosecs: 0}}'
        run_in_container 0 sh -c "$NS_SCRIPT; cat /proc/uptime"
        assert_new_ns time
        local inside host
        host=$(cut -d. -f1 /proc/uptime)
        inside=$(cut -d. -f1 <<<"${lines[-1]}")
        [ "$inside" -ge $((host + 864000 - 60)) ] && [ "$inside" -le $((host + 864000 + 60)) ] ||
                die "uptime inside is $inside s, outside $host s: boottime offset 864000 s not applied"
}

@test "cuttle-runtime namespaces: mounts of the container's mount namespace stay there" {
        bundle_args probe sleep 600
        run_runtime 0 run --detach --bundle "$BUNDLE" "$CID"
        run_runtime 0 state "$CID"
        local pid
        pid=$(jq -r .pid <<<"$output")
        grep -q " /proc " "/proc/$pid/mountinfo" || die "the container has no /proc mount"
        run grep -F -c " $BUNDLE/rootfs" /proc/self/mountinfo
        is "$output" "0" "the host sees no mount of the container's rootfs"
}

@test "cuttle-runtime namespaces: cgroup namespace: the container's cgroup is its root" {
        set_namespaces pid mount cgroup
        run_in_container 0 probe cgroup
        local l
        for l in "${lines[@]}"; do
                is "${l##*:}" "/" "with a cgroup namespace, the path of $l"
        done

        set_namespaces pid mount
        run_in_container 0 probe cgroup
        for l in "${lines[@]}"; do
                [[ ${l##*:} == */"$CID" ]] ||
                        die "without a cgroup namespace, $l is not the container's cgroup"
        done
}

# ---------------------------------------------------------------------------- user

@test "cuttle-runtime namespaces: user namespace with uidMappings and gidMappings" {
        set_namespaces pid mount network ipc uts user
        bundle_jq '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
                   .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}] |
                   .process.capabilities |= map_values(. + ["CAP_CHOWN"])'
        userns_bundle 100000 200000

        bundle_args sh -c "$NS_SCRIPT"'; probe uidmap; probe gidmap; probe id
                probe write /tmp/by-root x; probe write /tmp/by-1000 x; chown 1000:1000 /tmp/by-1000
                probe stat /home/tester'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        assert_new_ns user pid mnt
        local rest
        rest=$(printf '%s\n' "${lines[@]:8}" | tr -s ' \t' ' ' | sed 's/^ //')
        is "$rest" "0 100000 65536
0 200000 65536
uid=0 gid=0 groups=
dir 0755 1000 1000 0 0" "uid_map, gid_map, probe id, stat of a 101000:201000 dir"

        run stat -c '%u %g' "$BUNDLE/rootfs/tmp/by-root" "$BUNDLE/rootfs/tmp/by-1000"
        is "$output" $'100000 200000\n101000 201000' \
                "files made by container uid 0 and 1000 belong to the mapped host ids"
}

@test "cuttle-runtime namespaces: exec joins the container's user namespace" {
        # (mqueue and sysfs need the ipc and network namespaces of the user namespace)
        set_namespaces pid mount ipc network uts user
        bundle_jq '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
                   .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
        userns_bundle 100000 100000
        bundle_args probe sleep 600
        run_runtime 0 run --detach --bundle "$BUNDLE" "$CID"
        run_runtime 0 state "$CID"
        local pid
        pid=$(jq -r .pid <<<"$output")

        run_runtime 0 exec "$CID" sh -c "$NS_SCRIPT; probe id; probe write /tmp/exec-root x"
        local n
        for n in user pid mnt; do
                is "$(ns_of "$n")" "$(readlink "/proc/$pid/ns/$n")" "exec: the container's $n ns"
        done
        is "${lines[-1]}" "uid=0 gid=0 groups=" "exec: probe id"
        run_runtime 0 exec --user 1000:1000 "$CID" probe write /tmp/exec-1000 x
        run stat -c '%u %g' "$BUNDLE/rootfs/tmp/exec-root" "$BUNDLE/rootfs/tmp/exec-1000"
        is "$output" $'100000 100000\n101000 101000' "files made by exec processes"
}

@test "cuttle-runtime namespaces: a user namespace without mappings is a clear error" {
        set_namespaces pid mount user
        bundle_jq 'del(.linux.uidMappings) | del(.linux.gidMappings)'
        run_in_container '?' probe id
        [ "$status" -ne 0 ] || die "a user namespace without mappings worked: $output"
        assert_line_contains "uidMappings"
        run_runtime 0 list -q
        is "$output" "" "nothing is left"
}

# ---------------------------------------------------------------------------- pid

@test "cuttle-runtime namespaces: pid: the process is pid 1 and sees only its own" {
        set_namespaces pid mount
        run_in_container 0 probe pid
        is "$output" "pid=1 ppid=0" "probe pid in a new pid namespace"
        run_in_container 0 sh -c 'ls /proc | grep -c "^[0-9]"'
        # sh (1), ls and grep
        [ "$output" -le 3 ] || die "the container sees $output processes in /proc"
}

# ---------------------------------------------------------------------------- network

@test "cuttle-runtime namespaces: no network namespace: the host's interfaces" {
        local host_ifs
        host_ifs=$(LC_ALL=C ls /sys/class/net)

        set_namespaces pid mount
        run_in_container 0 probe ls /sys/class/net
        is "$output" "$host_ifs" "interfaces without a network namespace"

        set_namespaces pid mount network
        run_in_container 0 probe ls /sys/class/net
        is "$output" "lo" "interfaces in a new network namespace"
}

@test "cuttle-runtime namespaces: network by path (ip netns) is joined" {
        skip_if_no ip "iproute2 makes the named network namespace"
        NETNS=cuttle-$CID
        ip netns add "$NETNS" || die "ip netns add $NETNS failed"
        ip -n "$NETNS" link set lo up || die "setting lo up in $NETNS failed"
        local inode
        inode=$(stat -L -c %i "/run/netns/$NETNS")

        set_namespaces pid mount "network=/run/netns/$NETNS"
        run_in_container 0 sh -c "$NS_SCRIPT; cat /sys/class/net/lo/operstate"
        is "$(ns_of net)" "net:\[$inode\]" "the container's network namespace is $NETNS"
        is "${lines[-1]}" "unknown" "lo is up, as set in $NETNS (a new netns has it down)"
}

# ---------------------------------------------------------------------------- uts

@test "cuttle-runtime namespaces: uts by path (a holder process) is joined" {
        start_holder --uts -- 'hostname cuttle-joined'
        set_namespaces pid mount "uts=/proc/$HOLDER_PID/ns/uts"
        run_in_container 0 sh -c "$NS_SCRIPT; probe hostname"
        is "$(ns_of uts)" "$(readlink "/proc/$HOLDER_PID/ns/uts")" "the holder's uts namespace"
        is "${lines[-1]}" "cuttle-joined" "the hostname set in the holder's namespace"
        [ "$(uname -n)" != cuttle-joined ] || die "the host's hostname was changed"
}

@test "cuttle-runtime namespaces: hostname with a joined uts namespace is an error" {
        start_holder --uts -- 'hostname cuttle-joined'
        set_namespaces pid mount "uts=/proc/$HOLDER_PID/ns/uts"
        bundle_jq '.hostname = "cuttle-other"'
        run_in_container 1 probe hostname
        assert_line_contains "hostname"
        run nsenter --uts="/proc/$HOLDER_PID/ns/uts" uname -n
        is "$output" "cuttle-joined" "the joined namespace's hostname is unchanged"
}

@test "cuttle-runtime namespaces: several joined by path at once" {
        start_holder --net --ipc --uts -- 'hostname cuttle-multi'
        set_namespaces pid mount "network=/proc/$HOLDER_PID/ns/net" \
                "ipc=/proc/$HOLDER_PID/ns/ipc" "uts=/proc/$HOLDER_PID/ns/uts" cgroup
        run_in_container 0 sh -c "$NS_SCRIPT"
        local n
        for n in net ipc uts; do
                is "$(ns_of "$n")" "$(readlink "/proc/$HOLDER_PID/ns/$n")" "joined $n namespace"
        done
        assert_new_ns pid mnt cgroup
}

@test "cuttle-runtime namespaces: a missing namespace path is a clear error" {
        set_namespaces pid mount "network=/no/such/netns"
        run_in_container 1 probe id
        assert_line_contains "/no/such/netns"
        assert_line_contains "No such file or directory"
        run_runtime 0 list -q
        is "$output" "" "nothing is left"
}

# ---------------------------------------------------------------------------- exec

@test "cuttle-runtime namespaces: exec joins every namespace of the container" {
        set_namespaces pid network ipc uts mount cgroup
        bundle_args probe sleep 600
        run_runtime 0 run --detach --bundle "$BUNDLE" "$CID"
        run_runtime 0 state "$CID"
        local pid n
        pid=$(jq -r .pid <<<"$output")
        run_runtime 0 exec "$CID" sh -c "$NS_SCRIPT"
        for n in pid net ipc uts mnt cgroup; do
                is "$(ns_of "$n")" "$(readlink "/proc/$pid/ns/$n")" \
                        "the exec process is in the container's $n namespace"
        done
        assert_new_ns pid net ipc uts mnt cgroup
}
