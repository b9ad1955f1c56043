#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2016 # jq filters and container scripts use $ inside single quotes
#
# cuttle-runtime: the container life cycle and the command line around it (create, start,
# state, kill, delete, list, features, spec, --root), from the runtime's and the container's view.

load helpers

# set_args ARGS…: process.args = ARGS (bundle_args would let jq take "-c" as its own option).
set_args() {
        local json
        json=$(jq -cn '$ARGS.positional' --args -- "$@") || die "set_args: jq failed"
        bundle_jq '.process.args = $a' --argjson a "$json"
}

# state_of ID [ROOT]: the state JSON of ID (no test output).
state_of() {
        "$CUTTLE_RUNTIME" --root "${2:-$CUTTLE_ROOT}" state "$1" 2>/dev/null
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

# ---------------------------------------------------------------------------- create, start

@test "cuttle-runtime lifecycle: creating, created, running, stopped" {
        # A createRuntime hook records the state the runtime hands it while creating.
        bundle_jq '.hooks.createRuntime = [{"path": "/bin/sh",
                   "args": ["sh", "-c", "cat > \"$0\"", $f]}]' \
                --arg f "$CUTTLE_TEST_DIR/hook-state"
        set_args probe wait-signal /tmp/ready
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        local out=$CUTTLE_OUTPUT_FILE
        is "$(jq -r .status "$CUTTLE_TEST_DIR/hook-state")" "creating" "the hook's state"
        is "$(jq -r .id "$CUTTLE_TEST_DIR/hook-state")" "$CID" "the hook's state: id"

        is "$(container_status "$CID")" "created" "after create"
        run_runtime 0 start "$CID"
        wait_for_file "$BUNDLE/rootfs/tmp/ready"
        is "$(container_status "$CID")" "running" "after start"
        run_runtime 0 kill "$CID" USR1
        wait_for_status "$CID" stopped
        run_runtime 0 state "$CID"
        is "$(jq -r .pid <<<"$output")" "0" "a stopped container has no pid"
        is "$(cat "$out")" "SIGUSR1" "the process got the signal and exited"
        run_runtime 0 delete "$CID"
}

@test "cuttle-runtime lifecycle: state says creating while the createRuntime hooks run" {
        bundle_jq '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c",
                   "\"$0\" --root \"$1\" state \"$2\" > \"$3\"", $r, $root, $id, $f]}]' \
                --arg r "$CUTTLE_RUNTIME" --arg root "$CUTTLE_ROOT" --arg id "$CID" \
                --arg f "$CUTTLE_TEST_DIR/state-in-hook"
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        is "$(jq -r .status "$CUTTLE_TEST_DIR/state-in-hook")" "creating" \
                "state during the createRuntime hook"
}

@test "cuttle-runtime lifecycle: create returns once the container is ready" {
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" --pid-file "$CUTTLE_TEST_DIR/pid" "$CID"
        # Right after create: created, with its pid file, namespaces and cgroup in place.
        run_runtime 0 state "$CID"
        is "$(jq -r .status <<<"$output")" "created" "state right after create"
        local pid
        pid=$(jq -r .pid <<<"$output")
        [ -f "$CUTTLE_TEST_DIR/pid" ] || die "no pid file after create"
        is "$(cat "$CUTTLE_TEST_DIR/pid")" "$pid" "the pid file holds the state's pid"
        [ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
                die "the init is still in our mount namespace"
        [ "$(readlink "/proc/$pid/ns/pid_for_children")" != "$(readlink /proc/self/ns/pid)" ] ||
                die "the init is in our pid namespace"
        grep -q ":/cuttle/$CID\$" "/proc/$pid/cgroup" || die "the init is not in its cgroup yet"
        # Not yet the container's process: that is for start.
        [ "$(readlink "/proc/$pid/exe")" != "$BUNDLE/rootfs/usr/bin/probe" ] ||
                die "the process already runs before start"

        run_runtime 0 start "$CID"
        is "$(container_status "$CID")" "running" "after start"
        is "$(state_of "$CID" | jq -r .pid)" "$pid" "the same pid after start"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime lifecycle: start of a started or stopped container fails" {
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        run_runtime 1 start "$CID"
        assert_line_contains "already running"
        is "$(container_status "$CID")" "running" "still running"

        run_runtime 0 kill "$CID" KILL
        wait_for_status "$CID" stopped
        run_runtime 1 start "$CID"
        assert_line_contains "stopped"

        run_runtime 1 start "$CID-nonexistent"
        assert_line_contains "does not exist"
        run_runtime 0 delete "$CID"
}

@test "cuttle-runtime lifecycle: extra arguments after the id are refused, options are honoured" {
        set_args probe sleep 600
        run_runtime 1 create --bundle "$BUNDLE" "$CID" extra
        assert_line_contains "requires exactly 1 argument"
        run_runtime 0 list -q
        is "$output" "" "nothing was created"
        # Options may follow the id (GNU style); they must take effect, not be ignored.
        run_runtime 0 create --bundle "$BUNDLE" "$CID" --pid-file "$CUTTLE_TEST_DIR/pid"
        [ -s "$CUTTLE_TEST_DIR/pid" ] || die "--pid-file after the id was ignored"
        run_runtime 0 state "$CID"
        assert_line_contains "\"pid\": $(cat "$CUTTLE_TEST_DIR/pid")"
}

# ---------------------------------------------------------------------------- kill

@test "cuttle-runtime lifecycle: kill by signal name, SIG name, lower case and number" {
        local sig expect n=0
        for sig in USR1 SIGUSR2 hup 15 SIGWINCH 2; do
                n=$((n + 1))
                case $sig in
                USR1) expect=SIGUSR1 ;;
                SIGUSR2) expect=SIGUSR2 ;;
                hup) expect=SIGHUP ;;
                15) expect=SIGTERM ;;
                SIGWINCH) expect=SIGWINCH ;;
                2) expect=SIGINT ;;
                esac
                rm -f "$BUNDLE/rootfs/tmp/ready"
                set_args probe wait-signal /tmp/ready
                run_runtime 0 create --bundle "$BUNDLE" "$CID-$n"
                local out=$CUTTLE_OUTPUT_FILE
                run_runtime 0 start "$CID-$n"
                wait_for_file "$BUNDLE/rootfs/tmp/ready"
                run_runtime 0 kill "$CID-$n" "$sig"
                wait_for_status "$CID-$n" stopped
                is "$(cat "$out")" "$expect" "kill $sig"
                run_runtime 0 delete "$CID-$n"
        done
}

@test "cuttle-runtime lifecycle: kill defaults to SIGTERM; bad signals and stopped containers" {
        rm -f "$BUNDLE/rootfs/tmp/ready"
        set_args probe wait-signal /tmp/ready
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        local out=$CUTTLE_OUTPUT_FILE
        run_runtime 0 start "$CID"
        wait_for_file "$BUNDLE/rootfs/tmp/ready"
        run_runtime 1 kill "$CID" SIGBOGUS
        assert_line_contains 'invalid signal "SIGBOGUS"'
        run_runtime 1 kill "$CID" 999
        is "$(container_status "$CID")" "running" "a bad signal changes nothing"
        run_runtime 0 kill "$CID"
        wait_for_status "$CID" stopped
        is "$(cat "$out")" "SIGTERM" "the default signal"
        run_runtime 1 kill "$CID" KILL
        assert_line_contains "not running"
        run_runtime 0 delete "$CID"
}

# ---------------------------------------------------------------------------- delete

@test "cuttle-runtime lifecycle: delete of a running container needs --force" {
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        local pid
        pid=$(state_of "$CID" | jq -r .pid)
        run_runtime 1 delete "$CID"
        assert_line_contains "not stopped"
        is "$(container_status "$CID")" "running" "still running after a refused delete"
        [ -d "/proc/$pid" ] || die "the process is gone after a refused delete"

        run_runtime 0 delete --force "$CID"
        wait_gone "$pid"
        run_runtime 1 state "$CID"
        assert_line_contains "does not exist"
        [ ! -e "$CUTTLE_ROOT/$CID" ] || die "the state directory is left"
}

@test "cuttle-runtime lifecycle: delete of a created container (as runc: no --force needed)" {
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        local pid
        pid=$(state_of "$CID" | jq -r .pid)
        run_runtime 0 delete "$CID"
        wait_gone "$pid"

        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        pid=$(state_of "$CID" | jq -r .pid)
        run_runtime 0 delete --force "$CID"
        wait_gone "$pid"
        run_runtime 0 list -q
        is "$output" "" "nothing left"

        run_runtime 0 delete --force "$CID-nonexistent"
        run_runtime 1 delete "$CID-nonexistent"
        assert_line_contains "does not exist"
}

@test "cuttle-runtime lifecycle: a duplicate id fails and leaves the first container alone" {
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        local before
        before=$(state_of "$CID")

        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        assert_line_contains "already exists"
        run_runtime 1 run --bundle "$BUNDLE" "$CID"
        assert_line_contains "already exists"

        local after
        after=$(state_of "$CID")
        is "$(jq -r .status <<<"$after")" "running" "the first container still runs"
        is "$(jq -r .pid <<<"$after")" "$(jq -r .pid <<<"$before")" "with the same pid"
        is "$(jq -r .created <<<"$after")" "$(jq -r .created <<<"$before")" "and creation time"
        [ -d "/sys/fs/cgroup/pids/cuttle/$CID" ] || [ ! -d /sys/fs/cgroup/pids ] ||
                die "the first container's cgroup was removed"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime lifecycle: invalid ids are refused" {
        set_args probe id
        local id
        for id in "a/b" ".." "a b"; do
                run_runtime 1 create --bundle "$BUNDLE" "$id"
        done
        run_runtime 0 list -q
        is "$output" "" "nothing was created"
}

# ---------------------------------------------------------------------------- list

@test "cuttle-runtime lifecycle: list as a table, quietly and as JSON" {
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID-a"
        run_runtime 0 create --bundle "$BUNDLE" "$CID-b"
        run_runtime 0 start "$CID-b"
        local pid_a pid_b
        pid_a=$(state_of "$CID-a" | jq -r .pid)
        pid_b=$(state_of "$CID-b" | jq -r .pid)

        run_runtime 0 list -q
        is "$(sort <<<"$output")" "$CID-a"$'\n'"$CID-b" "list -q"

        run_runtime 0 list
        is "${lines[0]}" "ID *PID *STATUS *BUNDLE *CREATED *OWNER" "table header"
        is "${#lines[@]}" "3" "a header and two rows"
        assert_line_contains "$CID-a"
        local l
        for l in "${lines[@]:1}"; do
                read -r -a f <<<"$l"
                case ${f[0]} in
                "$CID-a") is "${f[1]} ${f[2]} ${f[3]}" "$pid_a created $BUNDLE" "row of $CID-a" ;;
                "$CID-b") is "${f[1]} ${f[2]} ${f[3]}" "$pid_b running $BUNDLE" "row of $CID-b" ;;
                *) die "unexpected row: $l" ;;
                esac
        done

        run_runtime 0 list --format json
        is "$(jq -r 'sort_by(.id) | map("\(.id) \(.status) \(.pid) \(.bundle)") | .[]' <<<"$output")" \
                "$CID-a created $pid_a $BUNDLE"$'\n'"$CID-b running $pid_b $BUNDLE" "list --format json"
        is "$(jq -r '.[0].created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' <<<"$output")" "true" \
                "created is RFC 3339"

        run_runtime 1 list --format yaml
        run_runtime 0 delete --force "$CID-a" "$CID-b"
        run_runtime 0 list --format json
        is "$output" "[]" "an empty list is []"
}

# ---------------------------------------------------------------------------- features, spec

@test "cuttle-runtime lifecycle: features is valid JSON listing namespaces and seccomp" {
        run_runtime 0 features
        jq -e . >/dev/null <<<"$output" || die "features is not JSON: $output"
        is "$(jq -r '.ociVersionMin, .ociVersionMax' <<<"$output" | tr '\n' ' ')" "1.0.0 1.1.* " \
                "ociVersionMin/Max"
        local ns
        for ns in cgroup ipc mount network pid user uts; do
                jq -e --arg n "$ns" '.linux.namespaces | index($n)' >/dev/null <<<"$output" ||
                        die "features.linux.namespaces lacks $ns"
        done
        is "$(jq -r '.linux.seccomp.enabled' <<<"$output")" "true" "seccomp.enabled"
        jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") and index("SCMP_ACT_KILL")' \
                >/dev/null <<<"$output" || die "seccomp.actions lacks ERRNO or KILL"
        jq -e '.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ")' >/dev/null <<<"$output" ||
                die "seccomp.operators lacks MASKED_EQ"
        jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")' >/dev/null <<<"$output" ||
                die "seccomp.archs lacks X86_64"
        jq -e '.mountOptions | index("rbind") and index("rro")' >/dev/null <<<"$output" ||
                die "mountOptions lacks rbind or rro"
        jq -e '.hooks | index("createRuntime") and index("poststop")' >/dev/null <<<"$output" ||
                die "hooks lacks createRuntime or poststop"
}

@test "cuttle-runtime lifecycle: spec writes a config.json that run accepts" {
        local dir=$CUTTLE_TEST_DIR/spec
        mkdir "$dir"
        mv "$BUNDLE/rootfs" "$dir/rootfs"
        run_runtime 0 spec --bundle "$dir"
        [ -f "$dir/config.json" ] || die "spec wrote no $dir/config.json"
        jq -e '.ociVersion and .process and .root.path == "rootfs" and .linux.namespaces' \
                "$dir/config.json" >/dev/null || die "not an OCI config: $(cat "$dir/config.json")"
        run_runtime 1 spec --bundle "$dir"
        assert_line_contains "exists"

        # Only the command changes (the default has a terminal: run keeps the pty itself).
        BUNDLE=$dir set_args probe hostname
        run_runtime 0 run --bundle "$dir" "$CID"
        is "${output%$'\r'}" "$(jq -r .hostname "$dir/config.json")" "the spec's hostname"

        # The same config from the bundle directory as cwd.
        rm "$dir/config.json"
        cd "$dir"
        run_runtime 0 spec
        [ -f "$dir/config.json" ] || die "spec wrote no ./config.json"
}

@test "cuttle-runtime lifecycle: --root keeps two containers with the same id apart" {
        local root2=$CUTTLE_TEST_DIR/state2
        mkdir "$root2"
        set_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        # Same id in another root (another cgroup, or both would share /cuttle/$CID).
        bundle_jq '.linux.cgroupsPath = $p' --arg p "/cuttle/$CID-root2"
        _run_checked 0 "$CUTTLE_RUNTIME" --root "$root2" create --bundle "$BUNDLE" "$CID"
        local pid1 pid2
        pid1=$(state_of "$CID" | jq -r .pid)
        pid2=$(state_of "$CID" "$root2" | jq -r .pid)
        [ "$pid1" != "$pid2" ] || die "both roots report pid $pid1"

        _run_checked 0 "$CUTTLE_RUNTIME" --root "$root2" start "$CID"
        is "$(state_of "$CID" | jq -r .status)" "created" "root 1: still created"
        is "$(state_of "$CID" "$root2" | jq -r .status)" "running" "root 2: running"

        _run_checked 0 "$CUTTLE_RUNTIME" --root "$root2" delete --force "$CID"
        wait_gone "$pid2"
        is "$(state_of "$CID" | jq -r .status)" "created" "root 1 is untouched by root 2's delete"
        [ -d "/proc/$pid1" ] || die "root 1's container died"
        _run_checked 0 "$CUTTLE_RUNTIME" --root "$root2" list -q
        is "$output" "" "root 2 is empty"
        run_runtime 0 list -q
        is "$output" "$CID" "root 1 still lists its container"
        run_runtime 0 delete --force "$CID"
}
