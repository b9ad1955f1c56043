#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash safety: the CLI or a monitor killed with -9 at any point leaves a state that the next
# command reports honestly and that `rm -f` / `container cleanup` removes completely (the
# common teardown fails the test on any mount, process or cgroup left); 50 concurrent
# `run -d` all succeed and leave a consistent state.

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

c() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@"
}

# The monitors of this test's containers (their exit command names our --root).
monitors() {
        local p
        for p in /proc/[0-9]*; do
                tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q -e "^cuttle-monitor .*--exit-command $ENGINE_ROOT " &&
                        echo "${p#/proc/}"
        done
        return 0
}

# Everything is gone: no records, no mounts under the root, no runtime state, no monitors.
assert_all_gone() {
        run_engine ps -aq
        is "$output" "" "no container records"
        run grep -c -F "$ENGINE_ROOT/" /proc/self/mountinfo
        is "$output" "0" "no mounts under the root"
        # (the runtime's .seccomp cache of compiled profiles is shared state, not a container's)
        is "$(ls "$ENGINE_RUNROOT/runtime" 2>/dev/null)" "" "no runtime state"
        is "$(ls -A "$ENGINE_ROOT/containers" 2>/dev/null)" "" "no container storage"
        sleep 0.2
        is "$(monitors)" "" "no monitor left"
}

# kill_after DELAY ARGS…: runs cuttle ARGS in the background and kills it with -9 after
# DELAY seconds (it may have finished by then).
kill_after() {
        local delay=$1
        shift
        c "$@" >/dev/null 2>&1 &
        local pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
}

@test "crash: the CLI killed during create, at several points" {
        for d in 0 0.005 0.01 0.02 0.04 0.08; do
                kill_after "$d" create busy sleep 100
        done
        # whatever was left is listed honestly (created) and goes with rm -af
        run_engine ps -a --format '{{.State}}'
        for l in "${lines[@]}"; do
                is "$l" "Created" "a half-made create is a created container or nothing"
        done
        run_engine rm -af -t 0
        assert_all_gone
}

@test "crash: the CLI killed during start / run -d, before and after the monitor reports" {
        for d in 0 0.01 0.02 0.04 0.06 0.1 0.2; do
                kill_after "$d" run -d busy sleep 100
        done
        run_engine ps -a --format '{{.ID}} {{.State}}'
        for l in "${lines[@]}"; do
                is "$l" "[0-9a-f]{12} (Created|Up .*|Exited .*)" "an honest state"
        done
        # a started container runs: its record says so and its process is alive
        run_engine ps -q
        for id in "${lines[@]}"; do
                run_engine inspect --format '{{.State.Pid}}' "$id"
                kill -0 "$output"
        done
        run_engine rm -af -t 0
        assert_all_gone
}

@test "crash: the CLI killed during init, then start and rm -f work" {
        run_engine create --name ci busy sh -c 'echo ran; sleep 100'
        kill_after 0.03 init ci
        run_engine start ci
        run_engine ps --format '{{.Names}} {{.State}}'
        is "$output" "ci Up .*"
        run_engine rm -f -t 0 ci
        assert_all_gone
}

@test "crash: the monitor killed while the container runs" {
        run_engine run -d --name m1 busy sleep 100
        run_engine inspect --format '{{.State.Pid}}' m1
        pid=$output
        mon=$(monitors)
        [ -n "$mon" ] || die "no monitor found"
        kill -9 $mon
        sleep 0.2
        run_engine ps --format '{{.Names}} {{.State}}'
        is "$output" "m1 Up .*" "the container itself still runs"
        run_engine stop -t 0 m1
        run_engine ps -a --format '{{.Names}} {{.State}}'
        is "$output" "m1 Exited .*" "stopped although its monitor is gone"
        kill -0 "$pid" 2>/dev/null && die "the container's process survived"
        run_engine container cleanup m1
        run grep -c -F "$ENGINE_ROOT/" /proc/self/mountinfo
        is "$output" "0" "container cleanup unmounted the rootfs"
        run_engine rm m1
        assert_all_gone
}

@test "crash: the monitor and the container killed; rm -f removes everything" {
        run_engine run -d --name m2 busy sleep 100
        run_engine inspect --format '{{.State.Pid}}' m2
        pid=$output
        kill -9 $(monitors) "$pid"
        sleep 0.2
        run_engine ps -a --format '{{.Names}} {{.State}}'
        is "$output" "m2 Exited .*"
        run_engine rm -f m2
        assert_all_gone
}

@test "crash: the monitor killed during start" {
        for d in 0.005 0.01 0.02 0.03 0.05; do
                c run -d busy sleep 100 >/dev/null 2>&1 &
                cli=$!
                sleep "$d"
                mon=$(monitors)
                [ -n "$mon" ] && kill -9 $mon 2>/dev/null
                wait "$cli" || true
                # whatever the CLI said, the next command tells the truth
                run_engine ps -a --format '{{.ID}} {{.State}}'
                run_engine rm -af -t 0
                assert_all_gone
        done
}

@test "crash: the monitor of an initialized container killed; start recovers" {
        run_engine create --name mi busy sh -c 'echo hello; sleep 100'
        run_engine init mi
        kill -9 $(monitors)
        sleep 0.2
        run_engine start mi
        run_engine ps --format '{{.Names}} {{.State}}'
        is "$output" "mi Up .*"
        run_engine logs mi
        is "$output" "hello"
        run_engine rm -f -t 0 mi
        assert_all_gone
}

@test "crash: the CLI killed during rm -f; the next rm -f finishes the job" {
        for d in 0 0.01 0.02 0.05 0.1; do
                run_engine run -d busy sleep 100
                kill_after "$d" rm -f -t 0 "$output"
        done
        run_engine ps -a --format '{{.State}}'
        for l in "${lines[@]}"; do
                is "$l" "(Up .*|Stopping|Exited .*|Removing)" "an honest state"
        done
        run_engine rm -af -t 0
        assert_all_gone
}

@test "50 concurrent run -d: all succeed, ps shows 50 running, all go with rm -f" {
        for i in $(seq 1 50); do
                c run -d --name "con$i" busy sleep 100 >"$CUTTLE_TEST_DIR/out.$i" 2>&1 &
        done
        wait
        for i in $(seq 1 50); do
                is "$(cat "$CUTTLE_TEST_DIR/out.$i")" "[0-9a-f]{64}" "run #$i"
        done
        run_engine ps --format '{{.Names}} {{.State}}'
        is "${#lines[@]}" 50 "50 running"
        for l in "${lines[@]}"; do
                is "$l" "con[0-9]+ Up .*"
        done
        is "$(monitors | wc -l)" 50 "one monitor each"
        run_engine ps -q --no-trunc
        for id in "${lines[@]}"; do
                [ -S "$ENGINE_RUNROOT/containers/$id/attach" ] || die "no attach socket for $id"
        done
        # 50 concurrent rm -f as well
        for i in $(seq 1 50); do
                c rm -f -t 0 "con$i" >"$CUTTLE_TEST_DIR/rm.$i" 2>&1 &
        done
        wait
        for i in $(seq 1 50); do
                is "$(cat "$CUTTLE_TEST_DIR/rm.$i")" "con$i" "rm #$i"
        done
        assert_all_gone
}
