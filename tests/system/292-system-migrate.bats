#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# system migrate: running containers are stopped; --new-runtime moves every container.

load helpers
load engine

setup() {
        engine_setup
        make_image busy
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        engine_teardown
}

@test "system migrate: stops the running containers and says so; created ones stay" {
        run_engine run -d --net none --stop-timeout 1 --name up busy sleep 100
        up=$output
        run_engine create --net none --name idle busy true
        run_engine system migrate
        is "$output" "stopped $up"
        run_engine inspect --format '{{.State.Status}}' up idle
        is "${lines[0]}" "exited"
        is "${lines[1]}" "created"
        # nothing runs any more: a second migrate has nothing to say
        run_engine system migrate
        is "$output" ""
        run_engine 125 system migrate extra
        is "$output" "Error: \`cuttle system migrate\` takes no arguments"
}

@test "system migrate --new-runtime: every container moves to runc and back to the built-in runtime" {
        command -v runc >/dev/null || skip "runc is not installed (tools/deps.sh installs it)"
        run_engine create --net none --stop-timeout 1 --name a busy sleep 100
        aid=$output
        run_engine run --net none --name b busy echo from-b
        run_engine system migrate --new-runtime runc
        run_engine inspect --format '{{.OCIRuntime}}' a b
        is "${lines[0]}" "runc"
        is "${lines[1]}" "runc"
        # a really runs under runc now: runc has its state
        run_engine start a
        run runc --root "$ENGINE_RUNROOT/runtime" state "$aid"
        [ "$status" -eq 0 ] || die "runc state $aid: $output"
        [[ "$output" == *'"status": "running"'* ]] || die "runc state: $output"
        run_engine start -a b
        is "$output" "from-b"
        # back: the running a is stopped first
        run_engine system migrate --new-runtime cuttle
        is "$output" "stopped $aid"
        run_engine inspect --format '{{.OCIRuntime}}' a b
        is "${lines[0]}" "cuttle"
        is "${lines[1]}" "cuttle"
        run_engine start -a b
        is "$output" "from-b"
}

@test "system migrate --new-runtime: an unknown runtime is podman's error and changes nothing" {
        run_engine create --net none --name a busy true
        run_engine 125 system migrate --new-runtime nope
        is "$output" 'Error: change to runtime "nope" requested but no such runtime is defined: invalid argument'
        run_engine 125 system migrate --new-runtime ""
        run_engine inspect --format '{{.OCIRuntime}}' a
        is "$output" "cuttle"
}
