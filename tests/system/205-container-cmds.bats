#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The rest of the container commands: init, attach, restart, rename, container prune,
# ps --sort/--size/--filter, wait --condition, rm --depend/-t, --cidfile, --pull; podman's
# outputs and exit codes (checked against podman 4.3.1).

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

# pty_attach SECONDS ARGS…: runs cuttle ARGS on a pty, types $KEYS (default ctrl-p ctrl-q)
# after a moment; prints "exit N" and whether any output was seen.  Killed after 3 s.
pty_attach() {
        local wait=$1
        shift
        python3 - "$wait" "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@" <<'PY'
import os, pty, sys, time
wait = float(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
time.sleep(wait)
os.write(fd, os.environ.get('KEYS', '\x10\x11').encode())
out = b''
end = time.time() + 3
while time.time() < end:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
try:
    os.kill(pid, 9)
except OSError:
    pass
_, st = os.waitpid(pid, 0)
print('exit', os.waitstatus_to_exitcode(st))
print('output', len(out) > 0)
PY
}

@test "init: created → initialized; start runs it; podman's errors" {
        run_engine create --name i1 busy sh -c 'echo started; sleep 100'
        run_engine init i1
        is "$output" "i1"
        run_engine ps -a --format '{{.Names}} {{.Status}}'
        is "$output" "i1 Initialized"
        run_engine inspect --format '{{.State.Status}}' i1
        is "$output" "initialized"
        run_engine 125 init i1
        is "$output" "Error: container [0-9a-f]{64} has already been created in runtime: container state improper"
        run_engine logs i1
        is "$output" "" "nothing ran yet"
        run_engine start i1
        is "$output" "i1"
        run_engine ps --format '{{.Names}} {{.Status}}'
        is "$output" "i1 Up .*"
        run_engine 125 init i1
        run_engine 125 init nosuch
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        run_engine 125 init
        is "$output" "Error: you must provide at least one name or id"
}

@test "init: an initialized container can be stopped and removed without -f" {
        run_engine create --name i2 busy sleep 100
        run_engine init i2
        run_engine stop i2
        run_engine ps -a --format '{{.Names}} {{.State}}'
        is "$output" "i2 Exited .*"
        run_engine init i2
        run_engine rm i2
        is "$output" "i2"
        run_engine create --name i3 busy sleep 100
        run_engine init i3
        run_engine 125 kill i3
        is "$output" "Error: can only kill running containers. [0-9a-f]{64} is in state initialized: container state improper"
        run_engine restart i3
        run_engine ps --format '{{.Names}}'
        is "$output" "i3"
}

@test "run -i: output printed at once is never lost (attach before start)" {
        for i in 1 2 3 4 5; do
                run_engine run --rm -i busy echo early$i </dev/null
                is "$output" "early$i"
        done
        run bash -c 'echo in | "$@"' sh "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" \
                run --rm -i busy sh -c 'cat; exit 3'
        is "$status" 3 "the container's exit code"
        is "$output" "in" "stdin reached the container"
        run_engine 127 run --rm -i busy nonexist </dev/null
        run_engine ps -aq
        is "$output" ""
}

@test "attach: output, detach keys, podman's errors" {
        run_engine 125 attach
        is "$output" 'Error: "cuttle attach" requires a name, id, or the "--latest" flag'
        run_engine 125 attach nosuch
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        run_engine create --name a0 busy true
        run_engine 125 attach a0
        is "$output" "Error: you can only attach to running containers"
        run_engine run -d -it --name a1 busy sh -c 'while :; do echo tick; sleep 0.2; done'
        run_engine 125 attach --detach-keys bogus-x a1
        is "$output" "Error: invalid detach keys \"bogus-x\": unknown character 'bogus-x'"
        run pty_attach 0.8 attach a1
        is "${lines[0]}" "exit 0" "ctrl-p ctrl-q detaches with 0"
        is "${lines[1]}" "output True" "the output was relayed"
        run_engine ps --format '{{.Names}}'
        is "$output" "a1" "the container still runs after detaching"
        KEYS=$'\x01' run pty_attach 0.8 attach --detach-keys ctrl-a a1
        is "${lines[0]}" "exit 0" "--detach-keys ctrl-a detaches"
        run pty_attach 0.8 attach --detach-keys ctrl-a a1
        is "${lines[0]}" "exit -9" "ctrl-p ctrl-q does not detach then (killed after 3 s)"
        run_engine ps --format '{{.Names}}'
        is "$output" "a1"
}

@test "attach: the container's exit code; --no-stdin" {
        run_engine run -d --name a2 busy sh -c 'sleep 1; echo bye; exit 4'
        run_engine 4 attach --no-stdin a2
        is "$output" "bye"
}

@test "restart: -t, --all, --running; podman's errors" {
        run_engine run -d --name r1 busy sh -c 'echo run; sleep 100'
        run_engine create --name r2 busy true
        run_engine restart -t 0 r1 r2
        is "$output" "r1
r2"
        run_engine ps -a --format '{{.Names}} {{.State}}'
        is "${lines[0]}" "r1 Up .*"
        is "${lines[1]}" "r2 Exited \(0\) .*"
        run_engine logs r1
        is "$output" "run
run" "r1 ran twice"
        run_engine 125 restart nosuch
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        run_engine 125 restart
        is "$output" "Error: you must provide at least one name or id"
        run_engine 125 restart -a r1
        is "$output" "Error: no arguments are needed with --all"
        run_engine inspect --format '{{.Id}}' r1
        id1=$output
        run_engine restart --all --running -t 0
        is "$output" "$id1"
        run_engine restart --all -t 0
        is "${#lines[@]}" 2
}

@test "rename: podman's outputs and errors" {
        run_engine create --name n1 busy sleep 100
        run_engine create --name n2 busy true
        run_engine rename n1 n3
        is "$output" ""
        run_engine ps -a --format '{{.Names}}'
        is "$output" "n3
n2"
        run_engine inspect --format '{{.Name}}' n3
        is "$output" "n3"
        run_engine 125 rename n3 n2
        is "$output" "Error: renaming container [0-9a-f]{64}: name n2 already in use, cannot rename container [0-9a-f]{64}: container already exists"
        run_engine 125 rename n3 'bad name'
        is "$output" "Error: names must match \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]\*: invalid argument"
        run_engine 125 rename nosuch x
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        run_engine 125 rename n3
        is "$output" "Error: accepts 2 arg(s), received 1"
        run_engine start n3
        run_engine rename n3 n4
        run_engine ps --format '{{.Names}}'
        is "$output" "n4" "a running container can be renamed"
        run_engine 1 container exists n3
}

@test "container prune: -f, --filter label/label!/until, the prompt" {
        run_engine run -d --name keep busy sleep 100
        run_engine create --name p1 --label a=b busy true
        run_engine create --name p2 --label x=1 busy true
        run_engine container prune -f --filter label=a=c
        is "$output" ""
        run_engine container prune -f --filter label=a=b
        is "$output" "[0-9a-f]{64}"
        run_engine 1 container exists p1
        run_engine container prune -f --filter 'label!=x=1'
        is "$output" ""
        run_engine container prune -f --filter until=2000-01-01T00:00:00Z
        is "$output" ""
        run_engine 125 container prune -f --filter until=bogus
        is "$output" 'Error: failed to parse value as time or duration: "bogus"'
        run_engine 125 container prune -f --filter bogus=1
        is "$output" "Error: bogus is an invalid filter"
        run bash -c 'echo n | "$@"' sh "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" container prune
        is "$status" 0
        is "$output" "WARNING! This will remove all non running containers.
Are you sure you want to continue? \[y/N\] "
        run_engine container exists p2
        run bash -c 'echo y | "$@"' sh "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" container prune
        is "$status" 0
        is "${lines[1]}" ".*\] [0-9a-f]{64}" "the prompt, then the removed ID"
        run_engine ps -a --format '{{.Names}}'
        is "$output" "keep" "the running container stays"
}

@test "ps: --sort, --size, filters before/since/label!/until/restart-policy" {
        run_engine create --name s1 busy true
        sleep 0.05
        run_engine create --name s2 --restart always busy echo zz
        sleep 0.05
        run_engine create --name s0 --label k=v busy sh
        run_engine ps -a --format '{{.Names}}'
        is "$output" "s1
s2
s0"
        run_engine ps -a --sort names --format '{{.Names}}'
        is "$output" "s0
s1
s2"
        run_engine ps -a --sort command --format '{{.Names}}'
        is "$output" "s2
s0
s1"
        run_engine ps -a --sort runningfor --format '{{.Names}}'
        is "$output" "s1
s2
s0"
        run_engine 125 ps -a --sort bogus
        is "$output" 'Error: invalid argument "bogus" for "--sort" flag: "bogus" is not a valid value.  Choose from: "command, created, id, image, names, runningfor, size, status"'
        run_engine ps -a --filter before=s2 --format '{{.Names}}'
        is "$output" "s1"
        run_engine ps -a --filter since=s1 --format '{{.Names}}'
        is "$output" "s2
s0"
        run_engine 125 ps -a --filter before=nosuch
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        run_engine ps -a --filter 'label!=k=v' --format '{{.Names}}'
        is "$output" "s1
s2"
        run_engine ps -a --filter restart-policy=always --format '{{.Names}}'
        is "$output" "s2"
        run_engine ps -a --filter until=2000-01-01T00:00:00Z --format '{{.Names}}'
        is "$output" ""
        run_engine 125 ps -a --filter status=bogus
        is "$output" "Error: unknown container state: bogus: invalid argument"
        run_engine start -a s1
        run_engine ps -a --filter status=exited --filter exited=0 --format '{{.Names}}'
        is "$output" "s1"
        run_engine run --name big busy sh -c 'head -c 12 /dev/zero > /f'
        run_engine ps -a --size --filter name=big
        is "${lines[0]}" "CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +SIZE"
        is "${lines[1]}" ".* big +12B \(virtual [0-9.]+[kM]B\)"
        run_engine ps -a --sort size --format '{{.Names}}'
        is "${lines[-1]}" "big"
        run_engine ps -a --size --format json --filter name=big
        is "$output" '.*"rwSize": 12,.*'
        run_engine inspect --size --format '{{.SizeRw}}' big
        is "$output" "12" "inspect --size: the writable layer"
}

@test "wait --condition: podman's states and outputs" {
        run_engine create --name w1 busy sleep 100
        run_engine wait w1
        is "$output" "0" "a container that never ran counts as exited"
        run_engine wait --condition created w1
        is "$output" "-1"
        run_engine 125 wait --condition configured w1
        is "$output" "Error: unknown container state: configured: invalid argument"
        run_engine 125 wait --condition stopping w1
        is "$output" "Error: unknown container state: stopping: invalid argument"
        run_engine start w1
        run_engine wait --condition running w1
        is "$output" "-1"
        run_engine pause w1
        run_engine wait --condition paused w1
        is "$output" "-1"
        run_engine unpause w1
        (sleep 0.5; "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" kill w1 >/dev/null) &
        run_engine wait --condition running --condition exited w1
        is "$output" "-1" "running is reached first"
        run_engine wait --condition exited w1
        is "$output" "137"
        run_engine create --name w2 busy true
        run_engine init w2
        run_engine wait --condition initialized w2
        is "$output" "-1"
}

@test "rm: --depend removes dependents first; -t needs -f" {
        run_engine create --name d1 --network none busy sleep 100
        run_engine inspect --format '{{.Id}}' d1
        id1=$output
        run "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" create --name d2 --network container:d1 busy sleep 100
        if [[ $output == *"is not supported yet"* ]]; then
                skip "this build has no --network container: (the network area adds it): $output"
        fi
        is "$status" 0
        run_engine inspect --format '{{.Id}}' d2
        id2=$output
        run_engine 125 rm d1
        is "$output" "Error: container $id1 has dependent containers which must be removed before it: $id2: container already exists"
        run_engine rm --depend d1
        is "$output" "$id2
$id1"
        run_engine ps -aq
        is "$output" ""
        run_engine run -d --name t1 busy sleep 100
        run_engine 125 rm -t 0 t1
        is "$output" "Error: --force option must be specified to use the --time option"
        run_engine rm -f -t 0 t1
        is "$output" "t1"
}

@test "stop -a, kill -a, rm -a" {
        run_engine run -d --name k1 busy sleep 100
        run_engine run -d --name k2 busy sleep 100
        run_engine create --name k3 busy true
        run_engine kill -a
        is "${#lines[@]}" 2 "kill -a: only the running ones"
        run_engine wait k1 k2
        run_engine start k1
        run_engine stop -a -t 0
        is "${#lines[@]}" 3
        run_engine rm -a
        is "${#lines[@]}" 3
}

@test "--cidfile: an existing or unwritable file leaves no container; --pull policies" {
        run_engine 125 create --cidfile /nonexist/dir/cid busy true
        is "$output" "Error: opening cidfile /nonexist/dir/cid"
        run_engine ps -aq
        is "$output" "" "nothing was created"
        touch "$CUTTLE_TEST_DIR/cid"
        run_engine 125 run --cidfile "$CUTTLE_TEST_DIR/cid" busy true
        is "$output" "Error: container id file exists. Ensure another container is not using it or delete $CUTTLE_TEST_DIR/cid"
        run_engine run --rm --cidfile "$CUTTLE_TEST_DIR/cid2" busy true
        is "$(cat "$CUTTLE_TEST_DIR/cid2")" "[0-9a-f]{64}"
        run_engine 125 create --pull bogus busy true
        is "$output" 'Error: unsupported pull policy "bogus"'
        run_engine 125 create --pull never nosuchimg true
        is "$output" "Error: nosuchimg: image not known"
        run_engine run --rm --pull never busy echo ok
        is "$output" "ok"
        run_engine ps -aq
        is "$output" ""
}

@test "run --init: our init is pid 1, passes the stop signal on, reaps, keeps the exit code" {
        run_engine run --rm --init busy ps -o pid,args
        is "${lines[1]}" " *1 /run/podman-init -- ps -o pid,args"
        run_engine 7 run --rm --init busy sh -c 'exit 7'
        # sleep as pid 1 would ignore SIGTERM (10 s until SIGKILL); behind the init it dies at once
        run_engine run -d --name initd --init busy sleep 100
        SECONDS=0
        run_engine stop -t 8 initd
        [ "$SECONDS" -lt 5 ]
        run_engine inspect --format '{{.State.ExitCode}} {{.HostConfig.Init}}' initd
        is "$output" "143 true"
        # an orphan reparented to the init is reaped: no zombie is left
        run_engine run --rm --init busy sh -c '(sleep 0.2 &) ; sleep 0.5; ps -o stat | grep -c Z || true'
        is "$output" "0"
}
