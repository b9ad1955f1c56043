#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Container lifecycle commands: create, start, run, ps, stop, kill, wait, rm, logs, inspect,
# exec, pause/unpause, container exists, container cleanup; podman's outputs and exit codes.

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

@test "run: output, exit code, --rm removes the container" {
        run_engine run --rm busy echo hello
        is "$output" "hello"
        run_engine 3 run --rm busy sh -c 'exit 3'
        run_engine ps -aq
        is "$output" "" "no container left after --rm"
}

@test "run --rm: the root is a volatile overlay (no syncs), as podman's; others are not" {
        run_engine info --format '{{.Store.GraphDriverName}}'
        is "$output" "overlay"
        run_engine run --rm busy sh -c 'grep " / / " /proc/self/mountinfo'
        is "$output" ".*fsync=volatile.*" "--rm: volatile"
        run_engine run --name kept busy sh -c 'grep " / / " /proc/self/mountinfo'
        [[ "$output" != *volatile* ]] || die "a container without --rm must not be volatile: $output"
        run_engine start -a kept
        [[ "$output" != *volatile* ]] || die "not volatile after a restart either: $output"
}

@test "run: stdout and stderr stay apart; the record keeps the exit code" {
        run_engine 5 run --name t1 busy sh -c 'echo out; echo err >&2; exit 5'
        run_engine ps -a --format '{{.Names}} {{.Status}}'
        is "$output" "t1 Exited \(5\) .* ago"
        run "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" logs t1
        is "$output" "out.err|err.out"
}

@test "run: 127 for a missing command, 126 for a file that is not executable" {
        run_engine 127 run --rm busy nonexist
        is "$output" 'Error: .*executable file not found in \$PATH.*OCI runtime attempted to invoke a command that was not found'
        run_engine 126 run --rm busy /etc/passwd
        is "$output" "Error: .*permission denied.*"
        run_engine 125 run --rm nosuchimage true
        is "$output" "Error: nosuchimage: image not known"
}

@test "run -d: prints the full ID; ps shows it running" {
        run_engine run -d --name sleeper busy sleep 100
        is "$output" "[0-9a-f]{64}"
        cid=$output
        run_engine ps
        is "${lines[0]}" "CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES"
        is "${lines[1]}" "${cid:0:12} +localhost/busy:latest +sleep 100 +.* ago +Up .* ago +sleeper"
        run_engine ps -q
        is "$output" "${cid:0:12}"
        run_engine ps -q --no-trunc
        is "$output" "$cid"
        run_engine inspect --format '{{.State.Status}} {{.State.Running}} {{.Name}}' sleeper
        is "$output" "running true sleeper"
        run_engine stop -t 0 sleeper
        is "$output" "sleeper"
        run_engine inspect --format '{{.State.Status}} {{.State.ExitCode}}' sleeper
        is "$output" "exited 137"
}

@test "create + start: states created → running → exited" {
        run_engine create --name c1 busy sh -c 'echo started; sleep 0.2'
        is "$output" "[0-9a-f]{64}"
        run_engine ps -a --format '{{.Names}} {{.Status}}'
        is "$output" "c1 Created"
        run_engine start c1
        is "$output" "c1"
        run_engine wait c1
        is "$output" "0"
        run_engine inspect --format '{{.State.Status}}' c1
        is "$output" "exited"
        run_engine logs c1
        is "$output" "started"
        run_engine start -a c1
        is "$output" "started"
}

@test "create: a random podman-style name; --name conflicts" {
        run_engine create busy true
        run_engine ps -a --format '{{.Names}}'
        is "$output" "[a-z]+_[a-z]+"
        run_engine create --name dup busy true
        run_engine 125 create --name dup busy true
        is "$output" 'Error: .*the container name "dup" is already in use by [0-9a-f]{64}. You have to remove that container to be able to reuse that name: that name is already in use'
        run_engine create --replace --name dup busy true
        run_engine ps -a --filter name=dup -q
        is "${#lines[@]}" 1 "--replace leaves one container"
}

@test "run: image config and flags reach the process" {
        HOSTVAR=hv run_engine run --rm -e FOO=bar -e HOSTVAR busy sh -c 'echo $FOO; echo $HOSTVAR; echo $container'
        is "$output" "bar
hv
podman"
        run_engine run --rm -w /tmp busy pwd
        is "$output" "/tmp"
        run_engine run --rm -u 1000:1000 busy id -u
        is "$output" "1000"
        run_engine run --rm -u tester busy id -un
        is "$output" "tester"
        run_engine 125 run --rm -u nobodyhere busy true
        is "$output" "Error: .*unable to find user nobodyhere: no matching entries in passwd file"
        run_engine run --rm --hostname myhost busy hostname
        is "$output" "myhost"
        run_engine run --rm --entrypoint /bin/echo busy a b
        is "$output" "a b"
        echo "FROMFILE=yes" >"$CUTTLE_TEST_DIR/env"
        run_engine run --rm --env-file "$CUTTLE_TEST_DIR/env" busy sh -c 'echo $FROMFILE'
        is "$output" "yes"
}

@test "run: --read-only, --cap-drop, --privileged, --memory, --pids-limit, --network none" {
        run_engine 1 run --rm --read-only busy touch /x
        run_engine run --rm --read-only busy touch /tmp/x
        run_engine run --rm busy sh -c 'grep CapEff /proc/self/status'
        # containers.conf's default_capabilities: podman's built-in 14 (a80425fb), or Debian's
        # /usr/share/containers/containers.conf list of 11 (800405fb) when it is installed
        is "$output" "CapEff:.*00000000(a80425fb|800405fb)"
        run_engine run --rm --cap-drop all busy sh -c 'grep CapEff /proc/self/status'
        is "$output" "CapEff:.*0000000000000000"
        run_engine run --rm --network none busy cat /proc/net/dev
        assert_line_contains "lo:"
        run_engine run --rm --network none busy sh -c 'ls /sys/class/net'
        is "$output" "lo"
        run_engine run --rm --pids-limit 50 busy true
        run_engine run --rm -m 64m busy true
}

@test "run: labels, annotations, inspect shape" {
        run_engine run -d --name lab --label k=v --annotation a=b --stop-signal SIGINT --stop-timeout 3 busy sleep 100
        run_engine inspect lab
        is "$(jq -r '.[0].Config.Labels.k' <<<"$output")" "v"
        is "$(jq -r '.[0].Config.Annotations.a' <<<"$output")" "b"
        is "$(jq -r '.[0].Config.StopSignal' <<<"$output")" "2"
        is "$(jq -r '.[0].Config.StopTimeout' <<<"$output")" "3"
        is "$(jq -r '.[0].Path' <<<"$output")" "sleep"
        is "$(jq -c '.[0].Args' <<<"$output")" '["100"]'
        is "$(jq -r '.[0].ImageName' <<<"$output")" "localhost/busy:latest"
        is "$(jq -r '.[0].State.Pid > 0' <<<"$output")" "true"
        run_engine ps --filter label=k=v --format '{{.Names}}'
        is "$output" "lab"
        run_engine ps --filter label=k=other --format '{{.Names}}'
        is "$output" ""
        run_engine ps --format json
        is "$(jq -r '.[0].Names[0]' <<<"$output")" "lab"
        is "$(jq -r '.[0].State' <<<"$output")" "running"
        # inspect falls back to images
        run_engine inspect --format '{{.Id}}' busy
        is "$output" "$IMAGE_ID"
        run_engine 125 inspect nosuchthing
        is "${lines[-1]}" 'Error: inspecting object: no such object: "nosuchthing"'
}

@test "ps: -a, -l, -n, filters status/id/ancestor" {
        run_engine create --name a1 busy true
        run_engine run -d --name a2 busy sleep 100
        run_engine ps --format '{{.Names}}'
        is "$output" "a2"
        run_engine ps -a --format '{{.Names}}'
        is "$output" "a1
a2"
        run_engine ps -l --format '{{.Names}}'
        is "$output" "a2"
        run_engine ps -n 2 --format '{{.Names}}'
        is "${#lines[@]}" 2
        run_engine ps -a --filter status=created --format '{{.Names}}'
        is "$output" "a1"
        run_engine ps -a --filter ancestor=busy --format '{{.Names}}'
        is "${#lines[@]}" 2
        run_engine 125 ps --filter bogus=1
}

@test "stop, kill, wait: exit codes" {
        run_engine run -d --name k1 busy sleep 100
        run_engine kill k1
        is "$output" "k1"
        run_engine wait k1
        is "$output" "137"
        run_engine 125 kill k1
        is "$output" "Error: can only kill running containers. [0-9a-f]{64} is in state exited: container state improper"
        run_engine run -d --name k2 busy sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done'
        sleep 0.3
        run_engine stop k2
        run_engine inspect --format '{{.State.ExitCode}}' k2
        is "$output" "9"
}

@test "rm: running needs -f; missing exits 1; -a" {
        run_engine run -d --name r1 busy sleep 100
        run_engine 125 rm r1
        is "$output" "Error: cannot remove container [0-9a-f]{64} as it is running - running or paused containers cannot be removed without force: container state improper"
        run_engine rm -f -t 0 r1
        is "$output" "r1"
        run_engine 1 rm nope
        is "$output" 'Error: no container with name or ID "nope" found: no such container'
        run_engine create busy true
        run_engine create busy true
        run_engine rm -a
        is "${#lines[@]}" 2
        run_engine ps -aq
        is "$output" ""
        run find "$ENGINE_ROOT/containers" -mindepth 1 -maxdepth 1
        is "$output" "" "storage of removed containers is gone"
}

@test "logs: -t, --tail, --since, several containers" {
        run_engine run --name l1 busy sh -c 'for i in 1 2 3 4; do echo line$i; done'
        run_engine logs --tail 2 l1
        is "$output" "line3
line4"
        run_engine logs -n 1 -t l1
        is "$output" "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+) line4"
        run_engine logs --since 10m l1
        is "${#lines[@]}" 4
        run_engine logs --until 2000-01-01T00:00:00Z l1
        is "$output" ""
        run_engine run --name l2 busy echo other
        run_engine logs l1 l2
        is "${lines[4]}" "[0-9a-f]{12} other"
        run_engine run -d --name l3 busy sh -c 'echo a; sleep 0.5; echo b'
        run_engine logs -f l3
        is "$output" "a
b"
}

@test "exec: output, exit codes, -e, -u, -w" {
        run_engine run -d --name e1 busy sleep 100
        run_engine exec e1 echo hi
        is "$output" "hi"
        run_engine 7 exec e1 sh -c 'exit 7'
        run_engine 127 exec e1 nonexist
        is "$output" 'Error: .*executable file not found in \$PATH.*'
        run_engine exec -e X=y -w /tmp -u 1000 e1 sh -c 'echo $X $(pwd) $(id -u)'
        is "$output" "y /tmp 1000"
        run_engine exec -d e1 sleep 1
        run_engine 125 exec nosuch true
        run_engine create --name e2 busy true
        run_engine 125 exec e2 true
        is "$output" "Error: can only create exec sessions on running containers: container state improper"
}

@test "pause / unpause" {
        run_engine run -d --name p1 busy sleep 100
        run_engine pause p1
        run_engine inspect --format '{{.State.Status}} {{.State.Paused}}' p1
        is "$output" "paused true"
        run_engine 125 pause p1
        is "$output" "Error: \"paused\" is not running, can't pause: container state improper"
        run_engine unpause p1
        run_engine inspect --format '{{.State.Status}}' p1
        is "$output" "running"
}

@test "container exists, container cleanup" {
        run_engine create --name x1 busy true
        run_engine container exists x1
        run_engine 1 container exists nope
        run_engine start x1
        run_engine wait x1
        run_engine container cleanup x1
        run grep -c "$ENGINE_ROOT/containers" /proc/self/mountinfo
        is "$output" "0" "cleanup unmounted the rootfs"
        run_engine container cleanup --rm x1
        run_engine 1 container exists x1
}

@test "crash: a monitor killed with -9 leaves a container that rm -f removes" {
        run_engine run -d --name cr busy sleep 100
        run_engine inspect --format '{{.State.Pid}}' cr
        pid=$output
        mon=$(ps -o ppid= -p "$pid" | tr -d ' ')
        kill -9 "$mon" "$pid"
        sleep 0.2
        run_engine ps -a --format '{{.Names}} {{.State}}'
        is "$output" "cr Exited .*"
        run_engine rm -f cr
        run grep -c "$ENGINE_ROOT/containers" /proc/self/mountinfo
        is "$output" "0"
}

@test "--cidfile writes the ID; --restart with --rm conflicts" {
        run_engine create --cidfile "$CUTTLE_TEST_DIR/cid" busy true
        is "$(cat "$CUTTLE_TEST_DIR/cid")" "$output"
        run_engine 125 create --cidfile "$CUTTLE_TEST_DIR/cid" busy true
        run_engine 125 run --rm --restart always busy true
        is "$output" "Error: the --rm option conflicts with --restart.*"
}

@test "restart policy: on-failure restarts the container" {
        run_engine run -d --name rp --restart on-failure:2 busy sh -c 'echo run; exit 1'
        sleep 1.5
        run_engine logs rp
        is "${#lines[@]}" 3 "one run and two restarts"
}

@test "concurrent run --rm: every run prints its output and exit code (the log outlives the cleanup)" {
        # 8 x 8 runs at once: the monitor's --rm cleanup used to remove the container and its
        # log before a loaded CLI read it (no output, exit 0)
        local j
        for j in $(seq 1 8); do
                (
                        for i in $(seq 1 8); do
                                local rc=0
                                "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run --rm \
                                        --network none busy sh -c "echo out-$j-$i; exit 3" \
                                        >"$CUTTLE_TEST_DIR/rm.$j.$i" 2>&1 || rc=$?
                                echo "rc=$rc" >>"$CUTTLE_TEST_DIR/rm.$j.$i"
                        done
                ) &
        done
        wait
        for j in $(seq 1 8); do
                for i in $(seq 1 8); do
                        is "$(cat "$CUTTLE_TEST_DIR/rm.$j.$i")" "out-$j-$i
rc=3" "run $j.$i"
                done
        done
        run_engine ps -aq
        is "$output" "" "every --rm container is gone"
}

@test "50 concurrent run -d all succeed" {
        for i in $(seq 1 50); do
                "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run -d busy sleep 100 \
                        >"$CUTTLE_TEST_DIR/out.$i" 2>&1 &
        done
        wait
        for i in $(seq 1 50); do
                is "$(cat "$CUTTLE_TEST_DIR/out.$i")" "[0-9a-f]{64}" "run #$i"
        done
        run_engine ps -aq
        is "${#lines[@]}" 50 "50 records"
        run_engine ps -q
        is "${#lines[@]}" 50 "50 running"
        run_engine rm -af -t 0
        is "${#lines[@]}" 50
}
