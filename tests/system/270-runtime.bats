#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# --runtime: the built-in runtime by default; runc (or any OCI runtime) through its command
# line, with the same behaviour: one lifecycle test run under both.  The global --runtime and
# containers.conf's runtime / [engine.runtimes] choose it too.

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

# lifecycle RUNTIME_ARGS… : the same checks whatever the runtime; $want_rt is inspect's
# OCIRuntime.
lifecycle() {
        run_engine run --rm "$@" busy echo hello
        is "$output" "hello"
        run_engine 3 run --rm "$@" busy sh -c 'echo out; echo err >&2; exit 3'
        is "$output" "out
err|err
out"
        run_engine 127 run --rm "$@" busy nonexist
        is "$output" 'Error: .*executable file not found in \$PATH.*OCI runtime attempted to invoke a command that was not found'
        run_engine run -d --name lc "$@" busy sleep 100
        run_engine inspect --format '{{.OCIRuntime}} {{.State.Status}}' lc
        is "$output" "$want_rt running"
        run_engine exec lc echo inside
        is "$output" "inside"
        run_engine 7 exec lc sh -c 'exit 7'
        run_engine 127 exec lc nonexist
        is "$output" '.*Error: .*executable file not found in \$PATH.*OCI runtime attempted to invoke a command that was not found'
        run_engine exec -e FOO=bar -w /tmp lc sh -c 'echo $FOO $(pwd)'
        is "$output" "bar /tmp"
        run_engine pause lc
        run_engine inspect --format '{{.State.Status}}' lc
        is "$output" "paused"
        run_engine unpause lc
        run_engine top lc pid args
        is "${lines[1]}" "1 +sleep 100 ?"
        run_engine stats --no-stream --format '{{.Name}} {{.PIDS}}' lc
        is "$output" "lc 1"
        # a paused container stops too
        run_engine pause lc
        run_engine stop -t 0 lc
        run_engine inspect --format '{{.State.Status}} {{.State.ExitCode}}' lc
        is "$output" "exited 137"
        run_engine start lc
        run_engine inspect --format '{{.State.Status}}' lc
        is "$output" "running"
        id=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.Id}}' lc)
        [ -e "$ENGINE_RUNROOT/runtime/$id" ] || die "no runtime state for $id while it runs"
        run_engine kill lc
        run_engine wait lc
        is "$output" "137"
        run_engine rm lc
        [ ! -e "$ENGINE_RUNROOT/runtime/$id" ] || die "runtime state left for $id"
        run_engine ps -aq
        is "$output" "" "nothing left"
}

@test "runtime: the built-in runtime (default, and --runtime cuttle)" {
        want_rt=cuttle lifecycle
        want_rt=cuttle lifecycle --runtime cuttle
}

@test "runtime: --runtime runc, the same lifecycle" {
        skip_if_no runc
        want_rt=runc lifecycle --runtime runc
        run_engine events --stream=false --filter event=died --format '{{.Status}}'
        [ "${#lines[@]}" -ge 4 ] || die "died events: $output"
}

@test "runtime: a path, the global flag, containers.conf runtime and runtimes" {
        skip_if_no runc
        rt=$(command -v runc)
        run_engine run -d --name p1 --runtime "$rt" busy sleep 100
        run_engine inspect --format '{{.OCIRuntime}}' p1
        is "$output" "$rt"
        run_engine --runtime runc run -d --name p2 busy sleep 100
        run_engine inspect --format '{{.OCIRuntime}}' p2
        is "$output" "runc"
        # a runc process tree: its state lives in the engine's runtime root
        id=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.Id}}' p2)
        runc --root "$ENGINE_RUNROOT/runtime" state "$id" | grep -q '"status": "running"' ||
                die "runc does not know $id"
        mkdir -p "$CUTTLE_TEST_DIR/bin"
        ln -s "$rt" "$CUTTLE_TEST_DIR/bin/myrt"
        printf '[engine]\nruntime = "myrt"\n[engine.runtimes]\nmyrt = ["%s"]\n' \
                "$CUTTLE_TEST_DIR/bin/myrt" >"$CUTTLE_TEST_DIR/containers.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/containers.conf run_engine run --rm busy echo via-conf
        is "$output" "via-conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/containers.conf run_engine create --name p3 busy true
        run_engine inspect --format '{{.OCIRuntime}}' p3
        is "$output" "myrt"
        run_engine rm -f -t 0 p1 p2 p3
}

@test "runtime: unknown runtimes are refused before anything is made" {
        run_engine 125 run --rm --runtime nosuchrt busy true
        is "$output" "Error: could not find a working binary for runtime nosuchrt.*"
        run_engine 125 create --runtime /nonexistent/rt busy true
        is "$output" "Error: could not find a working binary.*/nonexistent/rt.*"
        run_engine ps -aq
        is "$output" "" "no container was made"
}
