#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bad input to cuttle-runtime. Each case must fail with a non-zero exit code, print nothing on
# stdout and ONE line on stderr that names the field or the problem, and leave nothing behind:
# no container listed, no entry under --root, no mount that mentions the bundle, no cgroup
# (/sys/fs/cgroup/*/cuttle/ID) and no process. (The teardown checks much of this again.)

load helpers

# ---------------------------------------------------------------------------- helpers

# run_bad ARGS…: run `cuttle-runtime --root $CUTTLE_ROOT ARGS…`, which must fail; $output is
# its stdout, $stderr its stderr, $stderr_lines the lines of it.
run_bad() {
        local out=$CUTTLE_TEST_DIR/bad.stdout err=$CUTTLE_TEST_DIR/bad.stderr
        CUTTLE_LAST_COMMAND="cuttle-runtime $*"
        echo "\$ $CUTTLE_RUNTIME --root $CUTTLE_ROOT $*"
        status=0
        timeout -v --kill-after=10 "$CUTTLE_TIMEOUT" "$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" "$@" \
                </dev/null >"$out" 2>"$err" 3>/dev/null || status=$?
        output=$(<"$out")
        stderr=$(<"$err")
        # (every line, empty ones too)
        mapfile -t stderr_lines <"$err"
        [ -z "$output" ] || echo "stdout: $output"
        local l
        for l in "${stderr_lines[@]}"; do
                echo "stderr: $l"
        done
        echo "[ rc=$status ]"
        if [[ $stderr == *"timeout: sending signal"* ]]; then
                die "command timed out after ${CUTTLE_TIMEOUT}s: $CUTTLE_LAST_COMMAND"
        fi
        [ "$status" -ne 0 ] || die "succeeded, but should have failed: $CUTTLE_LAST_COMMAND"
}

# assert_error TEXT…: the last run_bad printed nothing on stdout, and exactly one line on
# stderr, which contains every TEXT.
assert_error() {
        local text
        for text in "$@"; do
                [[ $stderr == *"$text"* ]] ||
                        die "$(printf '%s\nstderr does not contain: %s\n%s' "$CUTTLE_LAST_COMMAND" \
                                "'$text'" "$(_prefix_lines '  stderr: ' "${stderr:-[none]}")")"
        done
        is "$output" "" "$CUTTLE_LAST_COMMAND: nothing on stdout"
        [ ${#stderr_lines[@]} -eq 1 ] ||
                die "$(printf '%s\nstderr has %d lines; expected one:\n%s' "$CUTTLE_LAST_COMMAND" \
                        "${#stderr_lines[@]}" "$(_prefix_lines '  stderr: ' "${stderr:-[none]}")")"
}

# assert_nothing_left: nothing of container $CID is left: no container at all in `list`,
# nothing under $CUTTLE_ROOT, no mount mentioning the bundle, no cgroup directory for $CID,
# no process of the test.
assert_nothing_left() {
        local left
        run_runtime 0 list -q
        is "$output" "" "list -q: no container is left"
        left=$(find "$CUTTLE_ROOT" -mindepth 1 2>/dev/null)
        is "$left" "" "nothing under --root $CUTTLE_ROOT"
        _assert_no_traces "$CID"
}

# _assert_no_traces ID [DIR]: no mount mentions the bundle, no cgroup directory for ID, no
# process uses DIR (default: the test's directory).
_assert_no_traces() {
        local id=$1 dir=${2:-$CUTTLE_TEST_DIR} left
        left=$(grep -F "$BUNDLE" /proc/self/mountinfo || true)
        is "$left" "" "no mount mentions the bundle"
        left=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -path "*/cuttle/$id" \
                2>/dev/null || true)
        is "$left" "" "no cgroup directory for $id"
        left=$(cd / && CUTTLE_TEST_DIR=$dir _leftover_pids)
        is "$left" "" "no process uses $dir"
}

# create_bad [ID]: `create --bundle $BUNDLE ID` (default $CID), which must fail.
create_bad() {
        if [ $# -eq 0 ]; then
                set -- "$CID"
        fi
        run_bad create --bundle "$BUNDLE" "$1"
}

# ---------------------------------------------------------------------------- config.json

@test "bad input: no config.json; no bundle directory" {
        rm "$BUNDLE/config.json"
        create_bad
        assert_error "$BUNDLE/config.json" "No such file or directory"
        assert_nothing_left

        run_bad create --bundle "$CUTTLE_TEST_DIR/no-such-bundle" "$CID"
        assert_error "$CUTTLE_TEST_DIR/no-such-bundle" "No such file or directory"
        assert_nothing_left
}

@test "bad input: malformed config.json gives file:line:col" {
        printf '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n' >"$BUNDLE/config.json"
        create_bad
        assert_error "$BUNDLE/config.json:3:15:"
        assert_nothing_left

        # a trailing comma in an array
        printf '{"ociVersion": "1.0.2",\n"process": {"args": ["a",]}}\n' >"$BUNDLE/config.json"
        run_bad run --bundle "$BUNDLE" "$CID"
        assert_error "$BUNDLE/config.json:2:26:"
        assert_nothing_left

        # an empty file
        : >"$BUNDLE/config.json"
        create_bad
        assert_error "$BUNDLE/config.json:1:"
        assert_nothing_left
}

@test "bad input: a field of the wrong type" {
        bundle_jq '.process.args = "probe id"'
        create_bad
        assert_error "process.args" "array"
        assert_nothing_left

        bundle_jq '.process.args = ["probe", 3]'
        create_bad
        assert_error "process.args[1]" "string"
        assert_nothing_left

        bundle_jq '.process.args = ["probe", "id"] | .process.terminal = "yes"'
        create_bad
        assert_error "process.terminal" "boolean"
        assert_nothing_left
}

@test "bad input: unknown namespace type" {
        bundle_jq '.linux.namespaces += [{"type": "bogus"}]'
        local n
        n=$(jq '.linux.namespaces | length - 1' "$BUNDLE/config.json")
        create_bad
        assert_error "linux.namespaces[$n].type" '"bogus"'
        assert_nothing_left
}

@test "bad input: the rootfs directory does not exist" {
        bundle_jq '.root.path = "no-such-rootfs"'
        create_bad
        assert_error "root.path" "$BUNDLE/no-such-rootfs" "No such file or directory"
        assert_nothing_left
}

@test "bad input: bad mount option; unknown file system type" {
        bundle_jq '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs",
                                "options": ["nosuid", "size=banana"]}]'
        local n
        n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
        create_bad
        assert_error "mounts[$n]" '"/mnt"' "tmpfs"
        assert_nothing_left

        bundle_jq 'del(.mounts[-1]) |
                   .mounts += [{"destination": "/mnt", "type": "nosuchfs", "source": "none"}]'
        create_bad
        assert_error "mounts[$n]" '"/mnt"' "nosuchfs"
        assert_nothing_left
}

@test "bad input: unknown syscall name in linux.seccomp" {
        bundle_jq '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": ["getcwd", "nosuchcall"], "action": "SCMP_ACT_ERRNO"}]}'
        create_bad
        assert_error "linux.seccomp.syscalls[0].names[1]" '"nosuchcall"'
        assert_nothing_left
}

# ---------------------------------------------------------------------------- process

@test "bad input: process.args names no executable: create fails" {
        bundle_args no-such-command
        create_bad
        assert_error '"no-such-command"' "executable file not found"
        assert_nothing_left

        bundle_args /no/such/file
        create_bad
        assert_error '"/no/such/file"' "No such file or directory"
        assert_nothing_left

        bundle_args /tmp
        create_bad
        assert_error '"/tmp"' "directory"
        assert_nothing_left
}

@test "bad input: process.args names a file that is not executable: create fails" {
        bundle_args /etc/passwd
        create_bad
        assert_error '"/etc/passwd"' "ermission denied"
        assert_nothing_left
}

@test "bad input: process.cwd does not exist" {
        bundle_jq '.process.cwd = "/no/such/dir"'
        create_bad
        assert_error "cwd" '"/no/such/dir"'
        assert_nothing_left
}

# ---------------------------------------------------------------------------- ids

@test "bad input: a second create with the same id fails, the first is unharmed" {
        bundle_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 state "$CID"
        local pid state1
        pid=$(jq -r .pid <<<"$output")
        state1=$output

        # a second bundle, so that its traces can be told apart
        cp -a "$BUNDLE" "$CUTTLE_TEST_DIR/bundle2"
        run_bad create --bundle "$CUTTLE_TEST_DIR/bundle2" "$CID"
        assert_error "\"$CID\"" "already exists"
        run_bad run --bundle "$CUTTLE_TEST_DIR/bundle2" "$CID"
        assert_error "\"$CID\"" "already exists"
        # (the first container's processes use $BUNDLE; none may use bundle2)
        BUNDLE=$CUTTLE_TEST_DIR/bundle2 _assert_no_traces "$CID-none" "$CUTTLE_TEST_DIR/bundle2"

        run_runtime 0 state "$CID"
        is "$output" "$state1" "the first container's state is unchanged"
        run_runtime 0 list -q
        is "$output" "$CID" "list -q: only the first container"
        [ -d "/proc/$pid" ] || die "the first container's process $pid is gone"

        run_runtime 0 start "$CID"
        is "$(container_status "$CID")" "running" "the first container starts"
        run_runtime 0 delete --force "$CID"
        assert_nothing_left
}

@test "bad input: state, start, kill, delete… of a container that does not exist" {
        local cmd
        for cmd in state start kill delete pause resume ps; do
                run_bad "$cmd" "$CID"
                assert_error "\"$CID\"" "does not exist"
        done
        run_bad kill "$CID" KILL
        assert_error "\"$CID\"" "does not exist"
        # (but `delete --force` of a container that does not exist succeeds, as with runc:
        # podman relies on it)
        run_runtime 0 delete --force "$CID"
        is "$output" "" "delete --force of a container that does not exist: no output"
        run_bad exec "$CID" probe id
        assert_error "\"$CID\"" "does not exist"
        assert_nothing_left
}

@test "bad input: invalid container ids" {
        local id
        for id in "../$CID" "a/$CID" ".." "$CID x"; do
                create_bad "$id"
                assert_error "invalid container id" "$id"
                run_bad run --bundle "$BUNDLE" "$id"
                assert_error "invalid container id" "$id"
                run_bad state "$id"
                assert_error "invalid container id" "$id"
                run_bad delete --force "$id"
                assert_error "invalid container id" "$id"
        done
        [ ! -e "$CUTTLE_TEST_DIR/$CID" ] || die "create ../$CID made $CUTTLE_TEST_DIR/$CID"
        [ ! -e "$CUTTLE_ROOT/a" ] || die "create a/$CID made $CUTTLE_ROOT/a"

        create_bad ""
        assert_error "container id" "empty"
        assert_nothing_left
}

# ---------------------------------------------------------------------------- kill, exec

@test "bad input: kill with a bad signal leaves the container running" {
        bundle_args probe sleep 600
        run_runtime 0 run --detach --bundle "$BUNDLE" "$CID"
        wait_for_status "$CID" running
        local pid sig
        pid=$(jq -r .pid <<<"$("$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" state "$CID")")

        for sig in SIGFOO FOO 0 99 ""; do
                run_bad kill "$CID" "$sig"
                assert_error "signal" "\"$sig\""
        done
        is "$(container_status "$CID")" "running" "status after the bad kills"
        [ -d "/proc/$pid" ] || die "process $pid is gone after the bad kills"

        run_runtime 0 kill "$CID" KILL
        wait_for_status "$CID" stopped
        run_runtime 0 delete "$CID"
        assert_nothing_left
}

@test "bad input: exec into a stopped container" {
        bundle_args probe exit 0
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        wait_for_status "$CID" stopped

        run_bad exec "$CID" probe id
        assert_error "stopped"
        echo '{"args": ["probe", "id"], "cwd": "/"}' >"$CUTTLE_TEST_DIR/process.json"
        run_bad exec --process "$CUTTLE_TEST_DIR/process.json" "$CID"
        assert_error "stopped"

        is "$(container_status "$CID")" "stopped" "status after the exec attempts"
        run_runtime 0 delete "$CID"
        assert_nothing_left
}

# ---------------------------------------------------------------------------- command line

@test "bad input: unknown global flag" {
        run_bad --no-such-flag list
        assert_error "--no-such-flag"
        assert_nothing_left
}

@test "bad input: unknown command, unknown flag of a command" {
        run_bad no-such-command
        assert_error '"no-such-command"' "unknown command"

        run_bad create --no-such-flag --bundle "$BUNDLE" "$CID"
        assert_error "--no-such-flag"
        assert_nothing_left
}
