#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hooks (runtime-spec config.md "POSIX-platform Hooks", runtime.md "Lifecycle"): each kind
# runs once at its moment, with the state on stdin, in the right namespaces; args and env
# are passed exactly; a failing or hanging hook is handled as the lifecycle says.
#
# Every test's hooks run $HOOK_DIR/hook.sh KIND [SLEEP], which appends "KIND STATUS PID"
# (from the state on its stdin) to $HOOK_DIR/log and keeps the state in KIND.json. $HOOK_DIR
# is bind-mounted at the same path in the container, where startContainer hooks run.

# shellcheck disable=SC2016,SC2030,SC2031 # $ in jq filters and container scripts; tests are subshells
load helpers


setup() {
        cuttle_setup
        HOOK_DIR=$CUTTLE_TEST_DIR/hooks
        mkdir -p "$HOOK_DIR"
        # runs on the host (dash) and in the container (busybox sh) alike
        cat >"$HOOK_DIR/hook.sh" <<'EOF'
#!/bin/sh
kind=$1
state=$(cat)
if [ -n "$2" ]; then
        sleep "$2"
fi
status=$(printf '%s\n' "$state" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')
pid=$(printf '%s\n' "$state" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
printf '%s\n' "$state" >"$HOOK_DIR/$kind.json"
readlink /proc/self/ns/mnt >"$HOOK_DIR/$kind.mntns"
if [ "$kind" = poststart ]; then
        cat "/proc/$pid/comm" >"$HOOK_DIR/$kind.comm"
fi
echo "$kind $status $pid" >>"$HOOK_DIR/log"
EOF
        cat >"$HOOK_DIR/fail.sh" <<'EOF'
#!/bin/sh
cat >"$HOOK_DIR/$1.json"
echo "$1 log" >>"$HOOK_DIR/log"
echo "the $1 hook says no" >&2
exit 3
EOF
        chmod 0755 "$HOOK_DIR/hook.sh" "$HOOK_DIR/fail.sh"
        bundle_jq '.mounts += [{destination: $d, source: $d, type: "bind", options: ["rbind"]}]' \
                --arg d "$HOOK_DIR"
        bundle_args probe sleep 600
}

# hook_json SCRIPT KIND [ARGS…]: a hook entry running $HOOK_DIR/SCRIPT KIND ARGS….
hook_json() {
        local script=$1
        shift
        jq -cn '{path: $p, args: ([$n] + $ARGS.positional),
                 env: ["HOOK_DIR=" + $d, "PATH=/usr/bin:/bin"]}' \
                --arg p "$HOOK_DIR/$script" --arg n "$script" --arg d "$HOOK_DIR" --args -- "$@"
}

# add_hook KIND [SCRIPT [ARGS…]]: append a hook of KIND running SCRIPT (default hook.sh)
# with arguments KIND ARGS….
add_hook() {
        local kind=$1 script=${2:-hook.sh}
        shift
        [ $# -eq 0 ] || shift
        bundle_jq '.hooks[$k] += [$h]' --arg k "$kind" --argjson h "$(hook_json "$script" "$kind" "$@")"
}

# hook_log: the log's lines (nothing if no hook wrote one).
hook_log() {
        cat "$HOOK_DIR/log" 2>/dev/null || true
}

# wait_for_log_line REGEX [SECONDS]: until a line of the log matches REGEX.
wait_for_log_line() {
        local re=$1 secs=${2:-10}
        local deadline=$(( SECONDS + secs ))
        until grep -E -q "^($re)\$" "$HOOK_DIR/log" 2>/dev/null; do
                [ "$SECONDS" -lt "$deadline" ] ||
                        die "no hook log line matches '$re' after ${secs}s; log: $(hook_log)"
                sleep 0.05
        done
}

# assert_state_json KIND STATUS: KIND's stdin was a state object of this container.
assert_state_json() {
        local f=$HOOK_DIR/$1.json
        [ -f "$f" ] || die "the $1 hook kept no state"
        jq -e . "$f" >/dev/null || die "the $1 hook's stdin is not JSON: $(<"$f")"
        is "$(jq -r '[.id, .status, .bundle, (.ociVersion | type)] | join(" ")' "$f")" \
                "$CID $2 $BUNDLE string" "$1 hook: state id, status, bundle, ociVersion"
}

# assert_nothing_left [INIT-PID]: no container listed, no state dir, no cgroup, and the
# init (if its pid is known) gone.
assert_nothing_left() {
        run_runtime 0 list -q
        is "$output" "" "no container is listed"
        [ ! -e "$CUTTLE_ROOT/$CID" ] || die "$CUTTLE_ROOT/$CID is left behind"
        local cgs
        cgs=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "$CID" 2>/dev/null)
        [ -z "$cgs" ] || die "cgroups left behind: $cgs"
        if [ -n "${1:-}" ]; then
                wait_for_exit "$1" 5
        fi
}

# ---------------------------------------------------------------------------- the lifecycle

@test "cuttle-runtime hooks: each kind runs once at its moment with the state on stdin" {
        local kind
        for kind in prestart createRuntime createContainer startContainer poststart poststop; do
                add_hook "$kind"
        done
        run_runtime 0 create --bundle "$BUNDLE" --pid-file "$CUTTLE_TEST_DIR/pid" "$CID"
        local pid
        pid=$(cat "$CUTTLE_TEST_DIR/pid")
        is "$(hook_log)" "prestart creating $pid
createRuntime creating $pid
createContainer creating $pid" "the hooks run by create, in order"
        assert_state_json prestart creating
        assert_state_json createRuntime creating
        assert_state_json createContainer creating

        run_runtime 0 start "$CID"
        grep -q -x "poststart running $pid" "$HOOK_DIR/log" ||
                die "poststart did not run before start returned: $(hook_log)"
        assert_state_json poststart running
        wait_for_log_line "startContainer [a-z]+ $pid"
        # (their relative order is the business of another test)
        is "$(sed -n '4,$p' "$HOOK_DIR/log" | sort | sed 's/ .*//')" \
                $'poststart\nstartContainer' "the hooks run by start"
        is "$(jq -r .id "$HOOK_DIR/startContainer.json")" "$CID" "startContainer hook: state id"

        # prestart, createRuntime, poststart, poststop: in the runtime's namespaces;
        # createContainer, startContainer: in the container's
        local host_mnt ctr_mnt
        host_mnt=$(readlink /proc/self/ns/mnt)
        ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
        for kind in prestart createRuntime poststart; do
                is "$(cat "$HOOK_DIR/$kind.mntns")" "$host_mnt" "$kind runs in the runtime's mount ns"
        done
        for kind in createContainer startContainer; do
                is "$(cat "$HOOK_DIR/$kind.mntns")" "$ctr_mnt" "$kind runs in the container's mount ns"
        done

        run_runtime 0 kill "$CID" KILL
        wait_for_status "$CID" stopped
        is "$(hook_log | wc -l)" "5" "no hook runs when the container stops"
        run_runtime 0 delete "$CID"
        is "$(hook_log | sed -n '6,$p')" "poststop stopped( 0)?" "delete runs poststop"
        assert_state_json poststop stopped
        is "$(cat "$HOOK_DIR/poststop.mntns")" "$host_mnt" "poststop runs in the runtime's mount ns"
}

@test "cuttle-runtime hooks: poststart runs after the container's process was executed" {
        add_hook startContainer hook.sh 0.5 # slow: the process is executed after it
        add_hook poststart
        run_runtime 0 create --bundle "$BUNDLE" --pid-file "$CUTTLE_TEST_DIR/pid" "$CID"
        run_runtime 0 start "$CID"
        local pid
        pid=$(cat "$CUTTLE_TEST_DIR/pid")
        is "$(hook_log | sed 's/ .*//')" $'startContainer\npoststart' "hook order at start"
        is "$(cat "$HOOK_DIR/poststart.comm")" "probe" "the process poststart sees"
}

@test "cuttle-runtime hooks: startContainer gets the state with status created" {
        add_hook startContainer
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        wait_for_log_line "startContainer .*"
        assert_state_json startContainer created
}

@test "cuttle-runtime hooks: poststop runs when a foreground run ends" {
        add_hook poststop
        run_in_container 5 probe exit 5
        is "$(hook_log)" "poststop stopped( 0)?" "run: poststop ran before run returned"
        assert_state_json poststop stopped
}

@test "cuttle-runtime hooks: hooks of a kind run in order" {
        add_hook prestart hook.sh
        bundle_jq '.hooks.prestart += [$h]' --argjson h "$(hook_json hook.sh prestart-2)"
        add_hook prestart hook.sh
        run_runtime 0 create --bundle "$BUNDLE" --pid-file "$CUTTLE_TEST_DIR/pid" "$CID"
        local pid
        pid=$(cat "$CUTTLE_TEST_DIR/pid")
        is "$(hook_log)" "prestart creating $pid
prestart-2 creating $pid
prestart creating $pid" "three prestart hooks, in order"
        run_runtime 0 delete --force "$CID"
}

# ---------------------------------------------------------------------------- args, env

@test "cuttle-runtime hooks: args and env are passed exactly" {
        # sh's own argv and initial environment, from /proc, NUL-separated
        local script='/bin/cat /proc/$$/cmdline >"$0.args"; /bin/cat /proc/$$/environ >"$0.env"'
        local h
        h=$(jq -cn '{path: "/bin/sh", args: ["hook-argv0", "-c", $s, $o, "two words", "", "*"],
                     env: ["HOOK_A=1", "HOOK_B=two words", "HOOK_EMPTY=", "PATH=/nowhere"]}' \
                --arg s "$script" --arg o "$HOOK_DIR/createRuntime")
        bundle_jq '.hooks.createRuntime = [$h]' --argjson h "$h"
        export CUTTLE_LEAK_CHECK=from-the-host
        run_runtime 0 create --bundle "$BUNDLE" "$CID"

        local -a args env
        mapfile -d '' -t args <"$HOOK_DIR/createRuntime.args"
        is "$(printf '[%s]\n' "${args[@]}")" "[hook-argv0]
[-c]
[$script]
[$HOOK_DIR/createRuntime]
[two words]
[]
[*]" "the hook's argv is exactly its args"
        mapfile -d '' -t env <"$HOOK_DIR/createRuntime.env"
        is "$(printf '%s\n' "${env[@]}")" "HOOK_A=1
HOOK_B=two words
HOOK_EMPTY=
PATH=/nowhere" "the hook's environment is exactly its env"
        run_runtime 0 delete --force "$CID"
}

# ---------------------------------------------------------------------------- failures

@test "cuttle-runtime hooks: a failing prestart hook fails create, names it, leaves nothing" {
        add_hook prestart fail.sh
        add_hook createRuntime
        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        assert_line_contains "prestart hook \"$HOOK_DIR/fail.sh\" failed: exit status 3: the prestart hook says no"
        is "$(hook_log)" "prestart log" "the hooks after the failing one do not run"
        assert_state_json prestart creating
        assert_nothing_left "$(jq -r .pid "$HOOK_DIR/prestart.json")"

        # the same with run
        rm -f "$HOOK_DIR/log"
        run_runtime 1 run --bundle "$BUNDLE" "$CID"
        assert_line_contains "prestart hook \"$HOOK_DIR/fail.sh\" failed"
        assert_nothing_left "$(jq -r .pid "$HOOK_DIR/prestart.json")"
}

@test "cuttle-runtime hooks: poststop hooks run after a failed create" {
        add_hook prestart fail.sh
        add_hook poststop
        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        is "$(hook_log)" $'prestart log\npoststop stopped( 0)?' "hooks of the failed create"
        assert_nothing_left
}

@test "cuttle-runtime hooks: a failing createRuntime or createContainer hook fails create" {
        add_hook createRuntime fail.sh
        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        assert_line_contains "createRuntime hook \"$HOOK_DIR/fail.sh\" failed: exit status 3"
        assert_nothing_left "$(jq -r .pid "$HOOK_DIR/createRuntime.json")"

        bundle_jq 'del(.hooks)'
        add_hook createContainer fail.sh
        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        assert_line_contains "createContainer hook \"$HOOK_DIR/fail.sh\" failed: exit status 3"
        assert_line_contains "the createContainer hook says no"
        assert_nothing_left "$(jq -r .pid "$HOOK_DIR/createContainer.json")"
}

@test "cuttle-runtime hooks: a failing startContainer hook fails start" {
        add_hook startContainer fail.sh
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 1 start "$CID"
        assert_line_contains "startContainer hook"
}

@test "cuttle-runtime hooks: a missing hook executable is a clear error" {
        bundle_jq '.hooks.prestart = [{path: "/no/such/hook"}]'
        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        assert_line_contains 'prestart hook "/no/such/hook"'
        assert_line_contains "No such file or directory"
        assert_nothing_left
}

@test "cuttle-runtime hooks: a failing poststart hook is only a warning" {
        add_hook poststart fail.sh
        add_hook poststart
        run_runtime 0 create --bundle "$BUNDLE" --pid-file "$CUTTLE_TEST_DIR/pid" "$CID"
        run_runtime 0 start "$CID"
        assert_line_contains "poststart hook \"$HOOK_DIR/fail.sh\" failed"
        is "$(hook_log)" "poststart log
poststart running $(cat "$CUTTLE_TEST_DIR/pid")" "the next poststart hook runs"
        is "$(container_status "$CID")" "running" "the container runs on"
        run_runtime 0 delete --force "$CID"
}

@test "cuttle-runtime hooks: a failing poststop hook is only a warning" {
        add_hook poststop fail.sh
        add_hook poststop
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        run_runtime 0 delete --force "$CID"
        assert_line_contains "poststop hook \"$HOOK_DIR/fail.sh\" failed"
        is "$(hook_log)" $'poststop log\npoststop stopped( 0)?' "the next poststop hook runs"
        assert_nothing_left
}

@test "cuttle-runtime hooks: a hook's timeout is enforced" {
        # a unique duration, to find the hook process by
        local dur=29.$$
        bundle_jq '.hooks.createRuntime = [{path: $p, args: ["probe", "sleep", $d], timeout: 1}]' \
                --arg p "$PROBE" --arg d "$dur"
        local start=$SECONDS
        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        [ $(( SECONDS - start )) -le 5 ] || die "create took $(( SECONDS - start ))s; timeout was 1s"
        assert_line_contains "createRuntime hook \"$PROBE\" timed out after 1 second"
        run pgrep -f "probe sleep $dur"
        is "$output" "" "the hook process is killed"
        assert_nothing_left

        # a hook that ends within its timeout is fine
        bundle_jq 'del(.hooks)'
        add_hook createRuntime
        bundle_jq '.hooks.createRuntime[0].timeout = 10'
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        wait_for_log_line "createRuntime creating [0-9]+"
        run_runtime 0 delete --force "$CID"
}
