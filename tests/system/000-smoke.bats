#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Smoke tests: the binaries start, and the runtime's basic life cycle works on a bundle.

load helpers

@test "cuttle version" {
        run_cuttle 0 --version
        is "$output" "cuttle version [0-9]*.[0-9]*.[0-9]*" "cuttle --version prints a version"
        run_cuttle 0 version --format '{{.Client.Version}}'
        is "$output" "[0-9]*.[0-9]*.[0-9]*" "cuttle version has podman's Client.Version"

        run_runtime 0 --version
        assert_line_contains "cuttle-runtime version"
}

@test "cuttle-runtime run: probe id prints uid=0" {
        bundle_args probe id
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "${lines[0]}" "uid=0 gid=0 groups=*" "the container's process runs as root"

        # run (without --detach) deletes the container once it has exited
        run_runtime 0 list -q
        is "$output" "" "no container is left after run"
}

@test "cuttle-runtime run: the exit code of the container is passed on" {
        run_in_container 3 probe exit 3
        run_in_container 0 probe exit 0
}

@test "cuttle-runtime create, state, start, kill: created, running, stopped" {
        bundle_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" --pid-file "$CUTTLE_TEST_DIR/pid" "$CID"

        run_runtime 0 state "$CID"
        is "$(jq -r .id <<<"$output")" "$CID" "state: id"
        is "$(jq -r .status <<<"$output")" "created" "state after create"
        is "$(jq -r .bundle <<<"$output")" "$BUNDLE" "state: bundle"
        local pid
        pid=$(jq -r .pid <<<"$output")
        is "$pid" "[1-9][0-9]*" "state: pid of the created container"
        is "$(cat "$CUTTLE_TEST_DIR/pid")" "$pid" "--pid-file holds the state's pid"

        run_runtime 0 list -q
        is "$output" "$CID" "list -q shows the created container"

        run_runtime 0 start "$CID"
        is "$(container_status "$CID")" "running" "state after start"
        [ -d "/proc/$pid" ] || die "process $pid of the running container is gone"

        run_runtime 0 kill "$CID" KILL
        wait_for_status "$CID" stopped

        run_runtime 0 delete "$CID"
}

@test "cuttle-runtime start: a short process ends stopped, its output is kept" {
        bundle_args probe id
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        local create_output=$CUTTLE_OUTPUT_FILE

        run_runtime 0 start "$CID"
        wait_for_status "$CID" stopped
        # the container's stdout is the stdout create had
        run cat "$create_output"
        assert_line_contains "uid=0 gid=0"

        run_runtime 0 delete "$CID"
}

@test "cuttle-runtime delete: the container is gone" {
        bundle_args probe exit 0
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        wait_for_status "$CID" stopped

        run_runtime 0 delete "$CID"

        run_runtime 0 list -q
        is "$output" "" "list -q after delete"
        run_runtime '?' state "$CID"
        [ "$status" -ne 0 ] || die "state of a deleted container succeeded: $output"
        [ ! -e "$CUTTLE_ROOT/$CID" ] || die "$CUTTLE_ROOT/$CID is left after delete"
}

@test "cuttle-runtime delete --force: a running container is killed and removed" {
        bundle_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        run_runtime 0 state "$CID"
        is "$(jq -r .status <<<"$output")" "running" "state after start"
        local pid
        pid=$(jq -r .pid <<<"$output")

        run_runtime 0 delete --force "$CID"
        run_runtime 0 list -q
        is "$output" "" "list -q after delete --force"
        wait_for_exit "$pid"
}
