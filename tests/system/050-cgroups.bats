#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2016 # jq filters and container scripts use $ inside single quotes
#
# cuttle-runtime: linux.resources and the cgroup life cycle on a cgroup v1 (hybrid) host: the
# values as the host sees them under /sys/fs/cgroup/<controller>/cuttle/$CID, their effect
# inside the container, custom cgroupsPath, cleanup, pause/resume, ps and kill --all.

load helpers

CG=/sys/fs/cgroup

setup() {
        if [ ! -d $CG/memory ] || [ ! -d $CG/pids ]; then
                skip "these tests are for a cgroup v1 (hybrid) host: no $CG/memory or $CG/pids"
        fi
        cuttle_setup
}

# cg_dir CONTROLLER [ID]: the host directory of the container's cgroup (default path).
cg_dir() {
        echo "$CG/$1/cuttle/${2:-$CID}"
}

# cg_value CONTROLLER FILE: the content of FILE in the container's cgroup.
cg_value() {
        local f
        f=$(cg_dir "$1")/$2
        [ -f "$f" ] || die "$f does not exist"
        cat "$f"
}

# v1_hierarchies: the host's mounted cgroup hierarchies (v1 and the hybrid unified one).
v1_hierarchies() {
        local d
        for d in "$CG"/*/; do
                d=${d%/}
                [ -L "$d" ] && continue
                [ -f "$d/cgroup.procs" ] && echo "$d"
        done
}

# set_args ARGS…: process.args = ARGS (bundle_args would let jq take "-c" as its own option).
set_args() {
        local json
        json=$(jq -cn '$ARGS.positional' --args -- "$@") || die "set_args: jq failed"
        bundle_jq '.process.args = $a' --argjson a "$json"
}

# create_sleeper [ARGS…]: create and start $CID running `probe sleep 600` (or ARGS);
# $CREATE_OUTPUT names the file with create's output, where the container's output goes.
create_sleeper() {
        if [ $# -gt 0 ]; then
                set_args "$@"
        else
                bundle_jq '.process.args = ["probe", "sleep", "600"]'
        fi
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        CREATE_OUTPUT=$CUTTLE_OUTPUT_FILE
        run_runtime 0 start "$CID"
}

# wait_for_npids N: wait until the container has N processes (by `ps --format json`).
wait_for_npids() {
        local want=$1 n=0 _
        for _ in $(seq 1 100); do
                n=$("$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" ps --format json "$CID" | jq length)
                [ "$n" = "$want" ] && return 0
                sleep 0.05
        done
        die "container $CID has $n processes, expected $want"
}

# wait_gone PID: wait until PID has exited (gone, or a zombie its parent has not reaped yet).
# (helpers.bash's wait_for_exit never sees a zombie: "$(2>/dev/null <FILE)" reads nothing.)
wait_gone() {
        local pid=$1 st _
        for _ in $(seq 1 200); do
                st=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
                st=${st##*) }
                [ "${st%% *}" = Z ] && return 0
                sleep 0.05
        done
        die "process $pid is still there after 10s"
}

# ---------------------------------------------------------------------------- memory

@test "cuttle-runtime cgroups: memory limit is set and enforced (OOM kill)" {
        bundle_jq '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
        create_sleeper probe memhog 100
        wait_for_status "$CID" stopped
        # The limit as the host sees it, and the kill it caused.
        is "$(cg_value memory memory.limit_in_bytes)" "33554432" "memory.limit_in_bytes"
        run cg_value memory memory.oom_control
        assert_line_contains "oom_kill 1"
        run_runtime 0 delete "$CID"

        # run passes on the exit code: killed by SIGKILL.
        run_in_container 137 probe memhog 100
        [[ $output != *ok* ]] || die "memhog 100 MiB succeeded under a 32 MiB limit"
        # Well below the limit works.
        run_in_container 0 probe memhog 8
        is "$output" "ok" "memhog under the limit"
}

@test "cuttle-runtime cgroups: memory reservation, swap and swappiness" {
        bundle_jq '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432,
                                               "swap": 100663296, "swappiness": 10}'
        create_sleeper
        is "$(cg_value memory memory.limit_in_bytes)" "67108864" "memory.limit_in_bytes"
        is "$(cg_value memory memory.soft_limit_in_bytes)" "33554432" "memory.soft_limit_in_bytes"
        if [ -f "$(cg_dir memory)/memory.memsw.limit_in_bytes" ]; then
                is "$(cg_value memory memory.memsw.limit_in_bytes)" "100663296" \
                        "memory.memsw.limit_in_bytes"
        fi
        is "$(cg_value memory memory.swappiness)" "10" "memory.swappiness"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime cgroups: swap below the memory limit is refused" {
        bundle_jq '.linux.resources.memory = {"limit": 67108864, "swap": 33554432}'
        run_in_container 1 probe id
        assert_line_contains "memory+swap limit"
        [ ! -d "$(cg_dir memory)" ] || die "a failed create left $(cg_dir memory)"
}

# ---------------------------------------------------------------------------- cpu

@test "cuttle-runtime cgroups: cpu shares, quota and period" {
        [ -d $CG/cpu ] || skip "no cpu controller on this host"
        bundle_jq '.linux.resources.cpu = {"shares": 512, "quota": 25000, "period": 50000}'
        create_sleeper
        is "$(cg_value cpu cpu.shares)" "512" "cpu.shares"
        is "$(cg_value cpu cpu.cfs_quota_us)" "25000" "cpu.cfs_quota_us"
        is "$(cg_value cpu cpu.cfs_period_us)" "50000" "cpu.cfs_period_us"
        run_runtime 0 delete --force "$CID"

        # The container sees its own values (cgroup namespace).
        bundle_jq '.process.args = ["sh", "-c", $s]' \
                --arg s 'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "$output" $'512\n25000' "cpu values inside"
}

@test "cuttle-runtime cgroups: cpuset cpus and mems" {
        [ -d $CG/cpuset ] || skip "no cpuset controller on this host"
        local cpus last
        cpus=$(cat $CG/cpuset/cpuset.cpus)
        # The last cpu the host has, e.g. "1" from "0-1".
        last=${cpus##*[-,]}
        bundle_jq '.linux.resources.cpu = {"cpus": $c, "mems": "0"}' --arg c "$last"
        bundle_jq '.process.args = ["sh", "-c", $s]' \
                --arg s 'probe status Cpus_allowed_list; probe status Mems_allowed_list
                         cat /sys/fs/cgroup/cpuset/cpuset.cpus'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "$output" "$last"$'\n0\n'"$last" "the affinity and cpuset inside"

        bundle_jq '.linux.resources.cpu.cpus = "4096"'
        run_runtime 1 run --bundle "$BUNDLE" "$CID"
        assert_line_contains "cpuset.cpus"
}

# ---------------------------------------------------------------------------- pids, blkio

@test "cuttle-runtime cgroups: pids limit stops fork beyond it" {
        bundle_jq '.linux.resources.pids = {"limit": 10}'
        run_in_container 0 probe fork 20
        # The probe itself is one of the 10.
        is "$output" "9" "children forked under pids.max=10"

        bundle_jq '.linux.resources.pids = {"limit": 10}'
        create_sleeper
        is "$(cg_value pids pids.max)" "10" "pids.max"
        run_runtime 0 delete --force "$CID"

        bundle_jq '.linux.resources.pids = {"limit": 0}'
        create_sleeper
        is "$(cg_value pids pids.max)" "max" "pids limit 0 is unlimited"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime cgroups: blkio weight and throttling" {
        [ -d $CG/blkio ] || skip "no blkio controller on this host"
        local dev
        dev=$(mountpoint -d /) || skip "/ is not on a block device"
        bundle_jq '.linux.resources.blockIO = {"weight": 300,
                   "throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}],
                   "throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 100}]}' \
                --argjson ma "${dev%%:*}" --argjson mi "${dev##*:}"
        create_sleeper
        local d
        d=$(cg_dir blkio)
        if [ -f "$d/blkio.weight" ]; then
                is "$(cat "$d/blkio.weight")" "300" "blkio.weight"
        elif [ -f "$d/blkio.bfq.weight" ]; then
                is "$(cat "$d/blkio.bfq.weight")" "*300" "blkio.bfq.weight"
        else
                echo "# no blkio.weight file: only checking that the runtime did not fail" >&3
        fi
        is "$(cat "$d/blkio.throttle.read_bps_device")" "$dev 1048576" "read_bps_device"
        is "$(cat "$d/blkio.throttle.write_iops_device")" "$dev 100" "write_iops_device"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime cgroups: hugepage limits" {
        [ -d $CG/hugetlb ] || skip "no hugetlb cgroup controller on this host"
        local size
        size=$(find $CG/hugetlb/ -maxdepth 1 -name 'hugetlb.*.limit_in_bytes' -printf '%f\n' |
                head -n 1 | cut -d. -f2)
        [ -n "$size" ] || skip "the hugetlb controller has no page sizes"
        bundle_jq '.linux.resources.hugepageLimits = [{"pageSize": $s, "limit": 0}]' --arg s "$size"
        create_sleeper
        is "$(cg_value hugetlb "hugetlb.$size.limit_in_bytes")" "0" "hugetlb.$size.limit_in_bytes"
        run_runtime 0 delete --force "$CID"
}

# ---------------------------------------------------------------------------- paths, cleanup

@test "cuttle-runtime cgroups: the container is in its cgroup in every hierarchy" {
        bundle_jq '.linux.namespaces |= map(select(.type != "cgroup"))'
        bundle_jq '.process.args = ["probe", "cgroup"]'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        local l
        for l in "${lines[@]}"; do
                [[ $l == *":/cuttle/$CID" ]] || die "not in /cuttle/$CID: $l"
        done
        assert_line_contains ":memory:/cuttle/$CID"
        assert_line_contains ":pids:/cuttle/$CID"
}

@test "cuttle-runtime cgroups: a custom absolute cgroupsPath is used and removed" {
        local parent=$CID-parent
        bundle_jq '.linux.cgroupsPath = $p | .linux.resources.memory = {"limit": 41943040}
                   | .linux.namespaces |= map(select(.type != "cgroup"))' \
                --arg p "/$parent/ctr"
        create_sleeper sh -c 'probe cgroup; exec probe sleep 600'
        is "$(cat "$CG/memory/$parent/ctr/memory.limit_in_bytes")" "41943040" \
                "the limit is in the custom cgroup"
        [ ! -d "$(cg_dir memory)" ] || die "the default cgroup was made as well"
        local pid
        pid=$(jq -r .pid <<<"$("$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" state "$CID")")
        grep -qx "$pid" "$CG/pids/$parent/ctr/cgroup.procs" ||
                die "pid $pid is not in $CG/pids/$parent/ctr"
        run_runtime 0 delete --force "$CID"
        local h
        for h in $(v1_hierarchies); do
                [ ! -d "$h/$parent/ctr" ] || die "$h/$parent/ctr is left after delete"
                rmdir "$h/$parent" 2>/dev/null || true
        done
        run cat "$CREATE_OUTPUT"
        assert_line_contains ":memory:/$parent/ctr"
}

@test "cuttle-runtime cgroups: a relative cgroupsPath is below the runtime's own cgroup" {
        local own
        own=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
        [ -n "$own" ] || own=$(head -n 1 /proc/self/cgroup | cut -d: -f3)
        own=${own%/}
        bundle_jq '.linux.cgroupsPath = $p | .linux.namespaces |= map(select(.type != "cgroup"))' \
                --arg p "$CID-rel/ctr"
        bundle_jq '.process.args = ["probe", "cgroup"]'
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        assert_line_contains ":pids:$own/$CID-rel/ctr"
        local h
        for h in $(v1_hierarchies); do
                [ ! -d "$h$own/$CID-rel/ctr" ] || die "$h$own/$CID-rel/ctr is left after run"
                rmdir "$h$own/$CID-rel" 2>/dev/null || true
        done
}

@test "cuttle-runtime cgroups: delete removes the cgroup from every hierarchy" {
        create_sleeper
        local h n=0
        for h in $(v1_hierarchies); do
                [ -d "$h/cuttle/$CID" ] || die "no $h/cuttle/$CID while running"
                n=$((n + 1))
        done
        [ $n -gt 1 ] || die "only $n hierarchies found"
        run_runtime 0 kill "$CID" KILL
        wait_for_status "$CID" stopped
        # Stopped, not deleted: the cgroup is still there.
        [ -d "$(cg_dir pids)" ] || die "the cgroup went away before delete"
        run_runtime 0 delete "$CID"
        for h in $(v1_hierarchies); do
                [ ! -d "$h/cuttle/$CID" ] || die "$h/cuttle/$CID is left after delete"
        done
}

# ---------------------------------------------------------------------------- freezer

@test "cuttle-runtime cgroups: pause freezes the container, resume thaws it" {
        [ -d $CG/freezer ] || skip "no freezer controller on this host"
        create_sleeper sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count.new
                                  mv /tmp/count.new /tmp/count; sleep 0.02; done'
        local count=$BUNDLE/rootfs/tmp/count
        wait_for_file "$count"

        run_runtime 0 pause "$CID"
        is "$(container_status "$CID")" "paused" "state after pause"
        is "$(cg_value freezer freezer.state)" "FROZEN" "freezer.state"
        local a b
        a=$(cat "$count")
        sleep 0.3
        b=$(cat "$count")
        is "$b" "$a" "the counter does not move while paused"
        run_runtime 1 pause "$CID"
        assert_line_contains "not running"

        run_runtime 0 resume "$CID"
        is "$(container_status "$CID")" "running" "state after resume"
        is "$(cg_value freezer freezer.state)" "THAWED" "freezer.state"
        local _
        for _ in $(seq 1 40); do
                b=$(cat "$count")
                [ "$b" -gt "$a" ] && break
                sleep 0.05
        done
        [ "$b" -gt "$a" ] || die "the counter did not move after resume ($a, $b)"
        run_runtime 1 resume "$CID"
        assert_line_contains "not paused"

        # A paused container can be force-deleted.
        run_runtime 0 pause "$CID"
        run_runtime 0 delete --force "$CID"
        [ ! -d "$(cg_dir freezer)" ] || die "the frozen cgroup is left"
}

# ---------------------------------------------------------------------------- ps, kill --all

@test "cuttle-runtime cgroups: ps lists the container's processes" {
        create_sleeper sh -c 'probe sleep 600 & probe sleep 600 & wait'
        wait_for_npids 3
        run_runtime 0 ps --format json "$CID"
        local pids want pid
        pids=$(jq -r 'sort | .[]' <<<"$output")
        want=$(sort -n "$(cg_dir pids)/cgroup.procs")
        is "$(sort -n <<<"$pids")" "$want" "ps --format json lists the cgroup's processes"
        pid=$(jq -r .pid <<<"$("$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" state "$CID")")
        grep -qx "$pid" <<<"$pids" || die "the init ($pid) is not listed: $pids"

        run_runtime 0 ps "$CID"
        is "${lines[0]}" "PID *CMD" "table header"
        is "${#lines[@]}" "4" "a header and three processes"
        assert_line_contains "sh"
        assert_line_contains "probe"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime cgroups: kill --all signals every process, kill only the init" {
        # Without a pid namespace the children outlive the init.
        bundle_jq '.linux.namespaces |= map(select(.type != "pid"))'
        create_sleeper sh -c 'probe sleep 600 & probe sleep 600 & wait'
        wait_for_npids 3
        local init children
        init=$(jq -r .pid <<<"$("$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" state "$CID")")
        run_runtime 0 ps --format json "$CID"
        children=$(jq -r --argjson i "$init" '.[] | select(. != $i)' <<<"$output")

        run_runtime 0 kill "$CID" KILL
        wait_gone "$init"
        wait_for_npids 2

        run_runtime 0 kill --all "$CID" KILL
        local pid
        for pid in $children; do
                wait_gone "$pid"
        done
        wait_for_npids 0
        is "$(container_status "$CID")" "stopped" "state after kill --all"
        run_runtime 0 delete "$CID"
}
