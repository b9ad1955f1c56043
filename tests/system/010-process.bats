#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The process section of config.json, seen from inside the container: args, exit codes,
# env, cwd, user, umask, terminal (console socket and foreground), capabilities, rlimits,
# noNewPrivileges, oomScoreAdj, LSM labels, hostname/domainname; annotations in `state`;
# and `exec` into a running container.

# shellcheck disable=SC2016,SC2030,SC2031 # $ in jq filters and container scripts; tests are subshells
load helpers

RECVTTY=${RECVTTY:-$CUTTLE_BUILD/tests/payload/recvtty}


teardown() {
        if [ -n "${RECVTTY_PID:-}" ]; then
                kill "$RECVTTY_PID" 2>/dev/null || true
                wait "$RECVTTY_PID" 2>/dev/null || true
        fi
        cuttle_teardown
}

# start_recvtty [INPUT]: listen on $CONSOLE_SOCKET with recvtty (in the background), which
# receives the pty master, writes INPUT to it and copies the terminal's output to a file.
start_recvtty() {
        [ -x "$RECVTTY" ] || die "no recvtty at $RECVTTY (build tests/payload, or set RECVTTY)"
        CONSOLE_SOCKET=$CUTTLE_TEST_DIR/console.sock
        RECVTTY_OUT=$CUTTLE_TEST_DIR/console.out
        (cd / && exec "$RECVTTY" "$CONSOLE_SOCKET" "$@") >"$RECVTTY_OUT" 2>&1 3>&- &
        RECVTTY_PID=$!
        wait_for_file "$CONSOLE_SOCKET"
}

# recvtty_output: wait for recvtty to end; set $output/$lines to what the terminal showed
# (carriage returns dropped).
recvtty_output() {
        local rc=0
        wait "$RECVTTY_PID" || rc=$?
        RECVTTY_PID=
        [ "$rc" -eq 0 ] || die "recvtty failed (rc=$rc): $(<"$RECVTTY_OUT")"
        output=$(tr -d '\r' <"$RECVTTY_OUT")
        lines=()
        if [ -n "$output" ]; then
                IFS=$'\n' read -d '' -r -a lines <<<"$output" || true
        fi
        echo "[terminal output]"
        echo "$output"
}

# assert_no_containers: `list -q` shows nothing and the state directory is gone.
assert_no_containers() {
        run_runtime 0 list -q
        is "$output" "" "no container is listed"
        [ ! -e "$CUTTLE_ROOT/$CID" ] || die "$CUTTLE_ROOT/$CID is left behind"
}

# cap_eff_has CAP_NUMBER: does this shell have that capability in its effective set?
cap_eff_has() {
        local hex
        hex=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
        (( (16#$hex >> $1) & 1 ))
}

# start_sleeper: create and start $CID running `probe sleep 600`; set $INIT_PID.
start_sleeper() {
        bundle_args probe sleep 600
        run_runtime 0 run --detach --bundle "$BUNDLE" "$CID"
        run_runtime 0 state "$CID"
        is "$(jq -r .status <<<"$output")" running "status after run --detach"
        INIT_PID=$(jq -r .pid <<<"$output")
}

# ---------------------------------------------------------------------------- args, exit

@test "cuttle-runtime process: args reach the process exactly" {
        run_in_container 0 sh -c 'printf "0=[%s]\n" "$0"; for a in "$@"; do printf "[%s]\n" "$a"; done' \
                name "a b" 'c"d' '' '$HOME' '*' "x
y"
        is "$output" '0=[name]
[a b]
[c"d]
[]
[$HOME]
[*]
[x
y]' "each argument arrives as one argument, unexpanded"

        # args[0] is looked up in the PATH of process.env; an absolute path is used as is
        run_in_container 0 /usr/bin/probe pid
        is "$output" "pid=1 ppid=0" "an absolute args[0]"
}

@test "cuttle-runtime process: the exit code is passed on, 128+N for a signal" {
        run_in_container 42 probe exit 42
        run_in_container 255 probe exit 255
        run_in_container 1 sh -c 'exit 1'
        # a real fault kills even the init of a pid namespace
        run_in_container 139 probe kill-self SEGV
        run_runtime 0 list -q
        is "$output" "" "run deletes the container whatever the exit code"
}

@test "cuttle-runtime process: a missing executable is a clear error" {
        run_in_container '?' no-such-program arg
        [ "$status" -ne 0 ] || die "run of a missing program succeeded"
        assert_line_contains 'exec: "no-such-program": executable file not found in $PATH'

        run_in_container '?' /no/such/path
        [ "$status" -ne 0 ] || die "run of a missing path succeeded"
        assert_line_contains '/no/such/path'
        assert_line_contains 'No such file or directory'
        assert_no_containers
}

# ---------------------------------------------------------------------------- env, cwd

@test "cuttle-runtime process: env is exactly process.env, nothing leaks from the host" {
        export CUTTLE_LEAK_CHECK=from-the-host
        bundle_jq '.process.env = ["A=1", "B=two words", "EMPTY=", "PATH=/usr/bin:/bin"]'
        run_in_container 0 probe env
        is "$output" 'A=1
B=two words
EMPTY=
PATH=/usr/bin:/bin' "the environment, in order"

        bundle_jq '.process.env = []'
        run_in_container 0 /usr/bin/probe env
        is "$output" "" "an empty process.env gives an empty environment"

        bundle_jq 'del(.process.env)'
        run_in_container 0 /usr/bin/probe env
        is "$output" "" "no process.env gives an empty environment"
}

@test "cuttle-runtime process: cwd is the working directory" {
        bundle_jq '.process.cwd = "/tmp"'
        run_in_container 0 probe cwd
        is "$output" "/tmp" "process.cwd = /tmp"

        bundle_jq '.process.cwd = "/home/tester"'
        run_in_container 0 probe cwd
        is "$output" "/home/tester" "process.cwd = /home/tester"

        bundle_jq 'del(.process.cwd)'
        run_in_container 0 probe cwd
        is "$output" "/" "no process.cwd: /"
}

@test "cuttle-runtime process: a missing cwd is a clear error" {
        bundle_jq '.process.cwd = "/no/such/dir"'
        run_in_container 1 probe cwd
        assert_line_contains 'cwd ("/no/such/dir")'
        assert_line_contains 'No such file or directory'
        assert_no_containers
}

# ---------------------------------------------------------------------------- user, umask

@test "cuttle-runtime process: user uid, gid and additionalGids" {
        bundle_jq '.process.user = {uid: 1000, gid: 1000, additionalGids: [100, 10]}'
        run_in_container 0 sh -c 'probe id; probe write /tmp/owned x'
        is "$output" "uid=1000 gid=1000 groups=10,100" "probe id as user 1000"
        run stat -c '%u %g' "$BUNDLE/rootfs/tmp/owned"
        is "$output" "1000 1000" "a file the process creates belongs to 1000:1000"
}

@test "cuttle-runtime process: root with a gid and additionalGids" {
        bundle_jq '.process.user = {uid: 0, gid: 10, additionalGids: [7, 5]}'
        run_in_container 0 probe id
        is "$output" "uid=0 gid=10 groups=5,7" "probe id"

        bundle_jq '.process.user = {uid: 0, gid: 0}'
        run_in_container 0 probe id
        is "$output" "uid=0 gid=0 groups=" "no additionalGids: no supplementary groups at all"
}

@test "cuttle-runtime process: user.umask" {
        bundle_jq '.process.user.umask = 63' # 0077
        run_in_container 0 sh -c 'probe umask; probe write /tmp/f x'
        is "$output" "0077" "probe umask with user.umask = 0077"
        run stat -c '%a' "$BUNDLE/rootfs/tmp/f"
        is "$output" "600" "a new file's mode under umask 0077"

        bundle_jq 'del(.process.user.umask)'
        run_in_container 0 probe umask
        is "$output" "0022" "the default umask"
}

# ---------------------------------------------------------------------------- terminal

@test "cuttle-runtime process: terminal via --console-socket: a tty on 0, 1, 2 of consoleSize" {
        bundle_jq '.process.terminal = true | .process.consoleSize = {height: 31, width: 101}'
        bundle_args sh -c 'probe isatty 0; probe isatty 1; probe isatty 2; stty size; probe ttyname; exit 3'
        start_recvtty
        run_runtime 3 run --console-socket "$CONSOLE_SOCKET" --bundle "$BUNDLE" "$CID"
        recvtty_output
        is "${lines[0]}" "true" "stdin is a terminal"
        is "${lines[1]}" "true" "stdout is a terminal"
        is "${lines[2]}" "true" "stderr is a terminal"
        is "${lines[3]}" "31 101" "stty size: process.consoleSize"
        is "${lines[4]}" "/dev/pts/[0-9]+" "ttyname: a pty of the container's devpts"
}

@test "cuttle-runtime process: terminal via --console-socket: input reaches the process" {
        bundle_jq '.process.terminal = true'
        bundle_args sh -c 'read -r line; echo "got:[$line]"'
        start_recvtty $'hello terminal\n'
        run_runtime 0 create --console-socket "$CONSOLE_SOCKET" --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        recvtty_output
        assert_line_contains "got:[hello terminal]"
        wait_for_status "$CID" stopped
        run_runtime 0 delete "$CID"
}

@test "cuttle-runtime process: terminal without a console socket: create fails clearly" {
        bundle_jq '.process.terminal = true'
        bundle_args probe id
        run_runtime 1 create --bundle "$BUNDLE" "$CID"
        assert_line_contains "console socket"
        assert_no_containers
}

@test "cuttle-runtime process: terminal in the foreground run without a console socket" {
        skip_if_no script "util-linux script gives the runtime a pty"
        bundle_jq '.process.terminal = true'
        bundle_args sh -c 'probe isatty 0; probe isatty 1; probe isatty 2; exit 4'
        local cmd
        cmd=$(printf '%q ' "$CUTTLE_RUNTIME" --root "$CUTTLE_ROOT" run --bundle "$BUNDLE" "$CID")
        _run_checked 4 script -qec "$cmd" /dev/null
        # script writes an EOF byte to the pty once its stdin (/dev/null) ends; the
        # container's terminal echoes it as "^@"
        run sed -e 's/\r//g' -e 's/\^@//g' "$CUTTLE_OUTPUT_FILE"
        is "$output" $'true\ntrue\ntrue' "the process has the runtime's pty on 0, 1 and 2"
        assert_no_containers
}

# ---------------------------------------------------------------------------- capabilities

@test "cuttle-runtime process: capabilities of root: all five sets" {
        # CAP_CHOWN = 0, CAP_KILL = 5, CAP_NET_RAW = 13
        bundle_jq '.process.capabilities = {
                bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
                effective: ["CAP_CHOWN", "CAP_KILL"],
                permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
                inheritable: ["CAP_KILL"],
                ambient: ["CAP_KILL"]}'
        run_in_container 0 probe caps
        # execve() as uid 0 gives permitted = effective = bounding | inheritable
        is "$output" "CapInh: 0000000000000020
CapPrm: 0000000000002021
CapEff: 0000000000002021
CapBnd: 0000000000002021
CapAmb: 0000000000000020" "probe caps"
}

@test "cuttle-runtime process: capabilities of a non-root user: ambient ones survive execve" {
        bundle_jq '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {
                bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
                effective: ["CAP_CHOWN", "CAP_KILL"],
                permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
                inheritable: ["CAP_KILL"],
                ambient: ["CAP_KILL"]}'
        run_in_container 0 probe caps
        # execve() as non-root: permitted = effective = ambient
        is "$output" "CapInh: 0000000000000020
CapPrm: 0000000000000020
CapEff: 0000000000000020
CapBnd: 0000000000002021
CapAmb: 0000000000000020" "probe caps"
}

@test "cuttle-runtime process: without capabilities chown and mknod fail with EPERM" {
        # /home/tester belongs to 1000:1000: chown of it needs CAP_CHOWN even as root;
        # mknod of a char device (1:3, allowed by the device cgroup) needs CAP_MKNOD.
        local script='probe syscall chown /home/tester; probe syscall mknod /tmp/null'

        bundle_jq '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
                --argjson c '["CAP_CHOWN", "CAP_MKNOD"]'
        run_in_container 0 sh -c "$script"
        is "$output" $'ok\nok' "with CAP_CHOWN and CAP_MKNOD"

        bundle_jq '.process.capabilities = {bounding: [], effective: [], permitted: [],
                                            inheritable: [], ambient: []}'
        run_in_container 0 sh -c "$script; probe caps"
        is "${lines[0]}" "errno 1 EPERM" "chown without capabilities"
        is "${lines[1]}" "errno 1 EPERM" "mknod without capabilities"
        is "${lines[4]}" "CapEff: 0000000000000000" "no effective capabilities"
        is "${lines[5]}" "CapBnd: 0000000000000000" "an empty bounding set"
}

@test "cuttle-runtime process: an unknown capability is a clear error" {
        bundle_jq '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
        run_in_container 1 probe caps
        assert_line_contains "CAP_NO_SUCH_THING"
        assert_no_containers
}

# ---------------------------------------------------------------------------- rlimits

@test "cuttle-runtime process: rlimits lower NOFILE and CORE" {
        bundle_jq '.process.rlimits = [
                {type: "RLIMIT_NOFILE", soft: 100, hard: 200},
                {type: "RLIMIT_CORE", soft: 0, hard: 0}]'
        run_in_container 0 sh -c 'probe rlimit NOFILE; probe rlimit CORE'
        is "${lines[0]}" "100 200" "RLIMIT_NOFILE soft hard"
        is "${lines[1]}" "0 0" "RLIMIT_CORE soft hard"
}

@test "cuttle-runtime process: raising NOFILE above the hard limit is a clear error" {
        if cap_eff_has 24; then
                skip "this shell has CAP_SYS_RESOURCE: raising the hard limit works"
        fi
        local hard nr_open
        hard=$(ulimit -Hn)
        nr_open=$(cat /proc/sys/fs/nr_open)
        [ "$hard" != unlimited ] && [ "$hard" -lt "$nr_open" ] ||
                skip "the NOFILE hard limit ($hard) cannot be raised by one"

        bundle_jq '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 64, hard: $h}]' \
                --argjson h $((hard + 1))
        run_in_container 1 probe rlimit NOFILE
        assert_line_contains "RLIMIT_NOFILE"
        assert_line_contains "Operation not permitted"
        assert_line_contains "the current hard limit is $hard"
        assert_line_contains "CAP_SYS_RESOURCE"
        assert_no_containers
}

# ---------------------------------------------------------------------------- nnp, oom, lsm

@test "cuttle-runtime process: noNewPrivileges" {
        bundle_jq '.process.noNewPrivileges = true'
        run_in_container 0 probe nnp
        is "$output" "1" "noNewPrivileges = true"

        if [ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/self/status)" = 1 ]; then
                skip "this shell already has no_new_privs"
        fi
        bundle_jq '.process.noNewPrivileges = false'
        run_in_container 0 probe nnp
        is "$output" "0" "noNewPrivileges = false"
}

@test "cuttle-runtime process: oomScoreAdj" {
        local ours
        ours=$(cat /proc/self/oom_score_adj)
        bundle_jq 'del(.process.oomScoreAdj)'
        run_in_container 0 probe oom-score-adj
        is "$output" "$ours" "no oomScoreAdj: the runtime's value is inherited"

        local want=$(( ours < 500 ? ours + 123 : 999 ))
        bundle_jq '.process.oomScoreAdj = $v' --argjson v "$want"
        run_in_container 0 probe oom-score-adj
        is "$output" "$want" "oomScoreAdj = $want"

        if ! cap_eff_has 24 && [ "$ours" -gt -1000 ]; then
                # lowering it needs CAP_SYS_RESOURCE, which this shell lacks
                bundle_jq '.process.oomScoreAdj = -1000'
                run_in_container 1 probe oom-score-adj
                assert_line_contains "oomScoreAdj"
                assert_no_containers
        fi
}

@test "cuttle-runtime process: apparmorProfile and selinuxLabel are accepted without an LSM" {
        if grep -qs Y /sys/module/apparmor/parameters/enabled || [ -e /sys/fs/selinux/enforce ]; then
                skip "this host has AppArmor or SELinux"
        fi
        bundle_jq '.process.apparmorProfile = "cuttle-test-profile" |
                   .process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
        run_in_container 0 probe id
        is "$output" "uid=0 gid=0 groups=" "the process ran"
}

# ---------------------------------------------------------------------------- uts

@test "cuttle-runtime process: hostname and domainname in a new uts namespace" {
        local host
        host=$(uname -n)
        bundle_jq '.hostname = "cuttle-box" | .domainname = "example.org"'
        run_in_container 0 sh -c 'probe hostname; probe domainname'
        is "$output" $'cuttle-box\nexample.org' "hostname, domainname"
        is "$(uname -n)" "$host" "the host's name is untouched"
}

@test "cuttle-runtime process: hostname or domainname without a uts namespace is an error" {
        local host
        host=$(uname -n)
        bundle_jq '.hostname = "cuttle-box" | del(.domainname) |
                   .linux.namespaces |= map(select(.type != "uts"))'
        run_in_container 1 probe hostname
        assert_line_contains "hostname"
        assert_line_contains "UTS namespace"
        assert_no_containers

        bundle_jq 'del(.hostname) | .domainname = "example.org"'
        run_in_container 1 probe hostname
        assert_line_contains "domainname"
        assert_line_contains "UTS namespace"
        assert_no_containers
        is "$(uname -n)" "$host" "the host's name is untouched"
}

# ---------------------------------------------------------------------------- annotations

@test "cuttle-runtime process: annotations appear in state" {
        bundle_jq '.annotations = {"org.example.key": "value", "com.example.empty": "",
                                   "x": "with spaces and \"quotes\""}'
        bundle_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 state "$CID"
        is "$(jq -cS .annotations <<<"$output")" \
                '{"com.example.empty":"","org.example.key":"value","x":"with spaces and \"quotes\""}' \
                "state: annotations"
        run_runtime 0 start "$CID"
        run_runtime 0 state "$CID"
        is "$(jq -r '.annotations["org.example.key"]' <<<"$output")" "value" \
                "state of the running container: annotations"
        run_runtime 0 delete --force "$CID"
}

# ---------------------------------------------------------------------------- exec

@test "cuttle-runtime exec: args and the exit code" {
        start_sleeper
        run_runtime 0 exec "$CID" sh -c 'for a in "$@"; do printf "[%s]\n" "$a"; done' x "a b" ''
        is "$output" $'[a b]\n[]' "exec passes its args exactly"

        run_runtime 7 exec "$CID" probe exit 7
        run_runtime 0 exec "$CID" probe exit 0
        run_runtime 137 exec "$CID" sh -c 'kill -KILL $$'

        run_runtime 0 exec "$CID" probe pid
        is "$output" "pid=[0-9]+ ppid=0" "exec runs in the container's pid namespace"
        [[ $output != "pid=1 "* ]] || die "the exec process is pid 1: $output"
}

@test "cuttle-runtime exec: --env adds to process.env, nothing leaks from the host" {
        export CUTTLE_LEAK_CHECK=from-the-host
        bundle_jq '.process.env = ["PATH=/usr/bin:/bin", "BASE=1"]'
        start_sleeper
        run_runtime 0 exec --env FOO=bar --env "TWO=a b" "$CID" probe env
        is "$output" $'PATH=/usr/bin:/bin\nBASE=1\nFOO=bar\nTWO=a b' "exec's environment"
}

@test "cuttle-runtime exec: --env replaces a variable of process.env" {
        bundle_jq '.process.env = ["PATH=/usr/bin:/bin", "BASE=1"]'
        start_sleeper
        run_runtime 0 exec --env BASE=2 "$CID" probe env
        is "$output" $'PATH=/usr/bin:/bin\nBASE=2' "exec --env BASE=2 over BASE=1"
}

@test "cuttle-runtime exec: capabilities, rlimits, nnp, oomScoreAdj of process; --cap, --no-new-privs" {
        bundle_jq '.process.noNewPrivileges = false | .process.oomScoreAdj = 321 |
                   .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200}] |
                   .process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
                --argjson c '["CAP_KILL", "CAP_NET_RAW"]'
        start_sleeper
        run_runtime 0 exec "$CID" sh -c 'probe caps; probe rlimit NOFILE; probe nnp; probe oom-score-adj'
        is "$output" "CapInh: 0000000000000000
CapPrm: 0000000000002020
CapEff: 0000000000002020
CapBnd: 0000000000002020
CapAmb: 0000000000000000
100 200
0
321" "an exec process gets the container's process settings"

        run_runtime 0 exec --cap CAP_CHOWN --no-new-privs "$CID" sh -c 'probe caps; probe nnp'
        is "${lines[3]}" "CapBnd: 0000000000002021" "exec --cap CAP_CHOWN adds to the bounding set"
        is "${lines[2]}" "CapEff: 0000000000002021" "exec --cap CAP_CHOWN adds to the effective set"
        is "${lines[5]}" "1" "exec --no-new-privs"
}

@test "cuttle-runtime exec: --cwd" {
        start_sleeper
        run_runtime 0 exec --cwd /tmp "$CID" probe cwd
        is "$output" "/tmp" "exec --cwd /tmp"
        run_runtime 0 exec "$CID" probe cwd
        is "$output" "/" "exec without --cwd: process.cwd"
        run_runtime 1 exec --cwd /no/such/dir "$CID" probe cwd
        assert_line_contains '/no/such/dir'
}

@test "cuttle-runtime exec: --user" {
        start_sleeper
        run_runtime 0 exec --user 1000:1000 "$CID" probe id
        is "$output" "uid=1000 gid=1000 groups=" "exec --user 1000:1000"
        run_runtime 0 exec --user 65534:100 "$CID" probe id
        is "$output" "uid=65534 gid=100 groups=" "exec --user 65534:100"
        run_runtime 0 exec "$CID" probe id
        is "$output" "uid=0 gid=0 groups=" "exec without --user: process.user"
        run_runtime 1 exec --user nobody "$CID" probe id
        assert_line_contains "nobody"
}

@test "cuttle-runtime exec: --user UID keeps the gid of process.user" {
        bundle_jq '.process.user.gid = 100'
        start_sleeper
        run_runtime 0 exec --user 1000 "$CID" probe id
        is "$output" "uid=1000 gid=100 groups=" "exec --user 1000 with process.user.gid 100"
}

@test "cuttle-runtime exec: --process FILE" {
        start_sleeper
        local pj=$CUTTLE_TEST_DIR/process.json
        jq -n '{args: ["sh", "-c", "probe id; probe cwd; probe umask; exit 6"],
                env: ["PATH=/usr/bin:/bin"], cwd: "/home/tester",
                user: {uid: 1000, gid: 1000, additionalGids: [100], umask: 63}}' >"$pj"
        run_runtime 6 exec --process "$pj" "$CID"
        is "$output" $'uid=1000 gid=1000 groups=100\n/home/tester\n0077' \
                "user, cwd and umask from the process file"

        export CUTTLE_LEAK_CHECK=from-the-host
        jq -n '{args: ["/usr/bin/probe", "env"], env: ["ONLY=this", "AND=that"], cwd: "/"}' >"$pj"
        run_runtime 0 exec --process "$pj" "$CID"
        is "$output" $'ONLY=this\nAND=that' "env from the process file, nothing else"

        echo '{"args": [' >"$pj"
        run_runtime 1 exec --process "$pj" "$CID"
        assert_line_contains "$pj"
}

@test "cuttle-runtime exec: --detach --pid-file" {
        start_sleeper
        local pidfile=$CUTTLE_TEST_DIR/exec.pid start=$SECONDS
        run_runtime 0 exec --detach --pid-file "$pidfile" "$CID" probe sleep 600
        [ $(( SECONDS - start )) -lt 5 ] || die "exec --detach did not return at once"
        [ -f "$pidfile" ] || die "no pid file"
        local pid
        pid=$(cat "$pidfile")
        is "$pid" "[1-9][0-9]*" "the pid file holds a pid"
        [ "$pid" != "$INIT_PID" ] || die "the pid file holds the init's pid"
        is "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "probe sleep 600 " "the detached process runs"
        local ns
        for ns in pid mnt net ipc uts; do
                is "$(readlink "/proc/$pid/ns/$ns")" "$(readlink "/proc/$INIT_PID/ns/$ns")" \
                        "the exec process is in the container's $ns namespace"
        done
        run_runtime 0 ps --format json "$CID"
        [[ ,$(jq -r 'map(tostring) | join(",")' <<<"$output"), == *",$pid,"* ]] ||
                die "ps does not list the exec process $pid: $output"

        run_runtime 0 delete --force "$CID"
        wait_for_exit "$pid"
}

@test "cuttle-runtime exec: --tty with --console-socket" {
        start_sleeper
        start_recvtty
        run_runtime 5 exec --tty --console-socket "$CONSOLE_SOCKET" "$CID" \
                sh -c 'probe isatty 0; probe isatty 1; probe isatty 2; probe ttyname; exit 5'
        recvtty_output
        is "${lines[0]}" "true" "stdin is a terminal"
        is "${lines[1]}" "true" "stdout is a terminal"
        is "${lines[2]}" "true" "stderr is a terminal"
        is "${lines[3]}" "/dev/pts/[0-9]+" "ttyname: a pty of the container's devpts"
}

@test "cuttle-runtime exec: --process with terminal and consoleSize, --console-socket" {
        start_sleeper
        local pj=$CUTTLE_TEST_DIR/process.json
        jq -n '{args: ["sh", "-c", "probe isatty 0; probe isatty 1; stty size; exit 2"],
                terminal: true, consoleSize: {height: 25, width: 91},
                env: ["PATH=/usr/bin:/bin"], cwd: "/"}' >"$pj"
        start_recvtty
        run_runtime 2 exec --process "$pj" --console-socket "$CONSOLE_SOCKET" "$CID"
        recvtty_output
        is "$output" $'true\ntrue\n25 91' "a terminal of consoleSize"
}

@test "cuttle-runtime exec: into a stopped container is an error" {
        bundle_args probe exit 0
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run_runtime 0 start "$CID"
        wait_for_status "$CID" stopped
        run_runtime 1 exec "$CID" probe id
        assert_line_contains "stopped"
        run_runtime 0 delete "$CID"
}
