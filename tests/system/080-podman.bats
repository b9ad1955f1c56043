#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# podman as a real client of cuttle-runtime: `podman --runtime $CUTTLE_RUNTIME …` drives the
# runtime through conmon (create, start, state, kill, delete, exec with and without a tty).
# Where it proves the test itself right, the same command runs with `--runtime runc` too.
#
# Everything podman keeps lives in one temporary directory per file ($PODMAN_TMP): --root,
# --runroot, containers.conf (CONTAINERS_CONF), its tmp_dir and network config dir. The
# runtimes keep their default --root: podman passes --runtime-flag to the runtime, but not to
# the `podman container cleanup` that conmon runs when a container ends, whose `delete` would
# then look in the wrong place (podman 4.3). So the leftover checks go by container id.
# The image is the mkrootfs.sh rootfs, imported with `podman import`.

load helpers

PODMAN_IMAGE=localhost/cuttle-probe:latest

# ---------------------------------------------------------------------------- helpers

# _podman_argv RUNTIME: set _argv to the podman command line for RUNTIME (cuttle or runc).
_podman_argv() {
        _argv=(podman --root "$PODMAN_TMP/root" --runroot "$PODMAN_TMP/runroot"
                --storage-driver vfs)
        case "$1" in
        cuttle) _argv+=(--runtime "$PODMAN_CUTTLE_RUNTIME") ;;
        runc) _argv+=(--runtime "$PODMAN_RUNC") ;;
        none) ;;
        *) die "_podman_argv: unknown runtime '$1'" ;;
        esac
}

# _with_cidfile ARGS…: set _args to ARGS, with `--cidfile $CUTTLE_TEST_DIR/N.cid` after a
# leading `run`, so that teardown knows the ids of `run --rm` containers too.
_with_cidfile() {
        _args=("$@")
        if [ "${1:-}" = run ]; then
                _cid_count=$((${_cid_count:-0} + 1))
                _args=(run --cidfile "$CUTTLE_TEST_DIR/$_cid_count.cid" "${@:2}")
        fi
}

# _run_podman RUNTIME [RC|?] ARGS…: podman ARGS… with RUNTIME; see _run_checked in helpers.
_run_podman() {
        local rt=$1 _rc
        shift
        ! _take_rc "${1:-}" || shift
        _podman_argv "$rt"
        _with_cidfile "$@"
        _run_checked "$_rc" "${_argv[@]}" "${_args[@]}"
}

# run_podman [RC|?] ARGS…: podman --runtime cuttle-runtime ARGS… (rc 0 expected unless given).
run_podman() {
        _run_podman cuttle "$@"
}

# run_podman_runc [RC|?] ARGS…: the same with --runtime runc.
run_podman_runc() {
        _run_podman runc "$@"
}

# _podman_quiet RUNTIME ARGS…: podman under timeout, output to stdout, never failing.
_podman_quiet() {
        local rt=$1
        shift
        _podman_argv "$rt"
        timeout --kill-after=10 60 "${_argv[@]}" "$@" </dev/null 2>/dev/null 3>/dev/null
}

# run_podman_tty RUNTIME [RC|?] ARGS…: podman ARGS… with its stdin, stdout and stderr on a
# pty (script(1)); $output has the carriage returns taken out.
run_podman_tty() {
        local rt=$1 _rc rc cmd
        shift
        ! _take_rc "${1:-}" || shift
        rc=$_rc
        _podman_argv "$rt"
        _with_cidfile "$@"
        cmd=$(printf '%q ' "${_argv[@]}" "${_args[@]}")
        # stdin: a fifo opened read-write, which never reaches EOF (at EOF on its stdin,
        # script(1) would send the pty an end-of-file, whose echo lands in the output)
        [ -p "$CUTTLE_TEST_DIR/tty-stdin" ] || mkfifo "$CUTTLE_TEST_DIR/tty-stdin"
        # shellcheck disable=SC2016 # expanded by that bash
        _run_checked "$rc" bash -c 'exec 0<>"$1" && exec script -qec "$2" /dev/null' \
                run_podman_tty "$CUTTLE_TEST_DIR/tty-stdin" "$cmd"
        output=${output//$'\r'/}
        lines=("${lines[@]//$'\r'/}")
}

# podman_cgroup_dir ID CONTROLLER: the host directory of container ID's cgroup for
# CONTROLLER (cgroup v1) or its unified directory (v2), from `inspect`.
podman_cgroup_dir() {
        local cid=$1 controller=$2 cgpath
        cgpath=$(_podman_quiet cuttle inspect --format '{{.State.CgroupPath}}' "$cid") ||
                die "inspect $cid failed"
        [ -n "$cgpath" ] || die "inspect $cid shows no CgroupPath"
        if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
                echo "/sys/fs/cgroup$cgpath"
        else
                echo "/sys/fs/cgroup/$controller$cgpath"
        fi
}

# wait_for_logs ID TEXT [SECONDS]: poll `podman logs ID` until it contains TEXT.
wait_for_logs() {
        local cid=$1 text=$2 secs=${3:-10} got=
        local deadline=$((SECONDS + secs))
        while :; do
                # (podman logs writes the container's stderr on its own stderr)
                got=$(_podman_argv cuttle && timeout 60 "${_argv[@]}" logs "$cid" 2>&1) || true
                [[ $got == *"$text"* ]] && return 0
                [ "$SECONDS" -lt "$deadline" ] || break
                sleep 0.1
        done
        die "logs of $cid: no '$text' after ${secs}s; logs: ${got:-[none]}"
}

# _now_ms: milliseconds since the epoch.
_now_ms() {
        local ns
        ns=$(date +%s%N)
        echo $((ns / 1000000))
}

# ---------------------------------------------------------------------------- setup

setup_file() {
        skip_if_no podman
        skip_if_no conmon "podman needs conmon to run a container"
        skip_if_no runc "the comparison runs use runc"
        skip_if_no script "the -t tests need script(1) (bsdutils)"

        # -s: cuttle-runtime may be a link to cuttle, which looks at its argv[0]
        PODMAN_CUTTLE_RUNTIME=$(realpath -s "$CUTTLE_RUNTIME")
        PODMAN_RUNC=$(command -v runc)
        [ -x "$PODMAN_CUTTLE_RUNTIME" ] || die "no runtime at $CUTTLE_RUNTIME"
        [ -x "$PROBE" ] || die "no probe at $PROBE"

        # Short: podman and conmon put sockets under it.
        PODMAN_TMP=$(mktemp -d /tmp/cuttle-podman.XXXXXX)
        export PODMAN_TMP PODMAN_CUTTLE_RUNTIME PODMAN_RUNC
        export CONTAINERS_CONF=$PODMAN_TMP/containers.conf
        mkdir -p "$PODMAN_TMP/tmp" "$PODMAN_TMP/net"
        # No systemd here; default ulimits podman cannot raise in this environment.
        cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$PODMAN_TMP/tmp"

[network]
network_config_dir = "$PODMAN_TMP/net"
EOF

        "$CUTTLE_REPO/tests/images/mkrootfs.sh" "$PODMAN_TMP/rootfs" ||
                die "mkrootfs.sh failed"
        tar -C "$PODMAN_TMP/rootfs" -cf "$PODMAN_TMP/rootfs.tar" . || die "tar of the rootfs failed"
        rm -rf "$PODMAN_TMP/rootfs"

        local out
        _podman_argv none
        if ! out=$(timeout 120 "${_argv[@]}" info 2>&1 </dev/null); then
                skip "podman cannot run on this machine: $(tail -n 1 <<<"$out")"
        fi
        out=$(timeout 120 "${_argv[@]}" import --change 'CMD ["probe", "id"]' \
                "$PODMAN_TMP/rootfs.tar" "$PODMAN_IMAGE" 2>&1 </dev/null) ||
                die "podman import failed: $out"
}

teardown_file() {
        [ -n "${PODMAN_TMP:-}" ] && [ -d "$PODMAN_TMP" ] || return 0
        cd / || true
        _podman_quiet cuttle rm -a -f -t 0 >/dev/null || true
        _podman_quiet runc rm -a -f -t 0 >/dev/null || true
        _podman_quiet none rmi -a -f >/dev/null || true
        # (not `podman system reset`: whatever it would remove outside $PODMAN_TMP is not ours)
        local mp
        grep -F " $PODMAN_TMP/" /proc/self/mountinfo | awk '{print $5}' | tac |
                while read -r mp; do
                        umount -l "$(printf '%b' "${mp//\\/\\0}")" 2>/dev/null || true
                done
        rm -rf "$PODMAN_TMP"
}

setup() {
        CUTTLE_TEST_DIR=$BATS_TEST_TMPDIR
        export CUTTLE_TEST_DIR
}

# teardown: remove every container, then fail the test if anything of them is left: a
# container podman or the runtime still lists, a cgroup, a mount, a process.
teardown() {
        local problems=() ids=() id left pid why line cg f
        cd / || die "cd /"

        mapfile -t ids < <(_podman_quiet cuttle ps -a -q --no-trunc)
        for f in "$CUTTLE_TEST_DIR"/*.cid; do
                [ -s "$f" ] && ids+=("$(<"$f")")
        done
        _podman_quiet cuttle rm -a -f -t 0 >/dev/null || problems+=("podman rm -af failed")
        # a container made with runc that the cuttle pass could not remove
        _podman_quiet runc rm -a -f -t 0 >/dev/null || true

        left=$(_podman_quiet cuttle ps -a -q)
        [ -z "$left" ] || problems+=("podman still lists: $left")
        for id in "${ids[@]}"; do
                if "$PODMAN_CUTTLE_RUNTIME" state "$id" >/dev/null 2>&1; then
                        problems+=("cuttle-runtime still has container $id")
                        "$PODMAN_CUTTLE_RUNTIME" delete --force "$id" >/dev/null 2>&1 || true
                fi
                for cg in /sys/fs/cgroup/*/libpod_parent/libpod-"$id" \
                        /sys/fs/cgroup/libpod_parent/libpod-"$id"; do
                        [ -d "$cg" ] || continue
                        problems+=("cgroup left: $cg")
                        _clean_cgroup "$cg"
                done
        done
        while read -r pid why; do
                [ -n "$pid" ] || continue
                problems+=("process $pid left: $why: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)")
                kill -KILL "$pid" 2>/dev/null || true
        done < <(CUTTLE_TEST_DIR=$PODMAN_TMP/root _leftover_pids | sort -u -k1,1n)
        while read -r line; do
                [ -n "$line" ] && problems+=("mount left: $line")
        done < <(grep -F " $PODMAN_TMP/" /proc/self/mountinfo || true)

        if [ ${#problems[@]} -gt 0 ]; then
                die "$(printf 'teardown found leftovers of this test:\n'; printf '  %s\n' "${problems[@]}")"
        fi
}

# ---------------------------------------------------------------------------- tests

@test "podman run --rm: probe id, as with runc" {
        run_podman_runc run --rm --network none "$PODMAN_IMAGE" probe id
        local want=$output
        is "$want" "uid=0 gid=0 groups=*" "runc: probe id"

        run_podman run --rm --network none "$PODMAN_IMAGE" probe id
        is "$output" "$want" "cuttle-runtime: the same as runc"

        # the exit code is passed on; a missing command is podman's 127, as with runc
        run_podman 42 run --rm --network none "$PODMAN_IMAGE" probe exit 42
        run_podman 127 run --rm --network none "$PODMAN_IMAGE" no-such-command
        assert_line_contains "executable file not found"
}

@test "podman run -it: the process has a tty" {
        run_podman_tty cuttle 0 run -it --rm --network none "$PODMAN_IMAGE" \
                sh -c 'probe isatty 0; probe isatty 1; probe isatty 2; probe ttyname'
        is "${lines[0]}" "true" "stdin is a tty"
        is "${lines[1]}" "true" "stdout is a tty"
        is "${lines[2]}" "true" "stderr is a tty"
        is "${lines[3]}" "/dev/pts/[0-9]*" "ttyname of stdin"

        # the exit code comes back through the tty session
        run_podman_tty cuttle 3 run -it --rm --network none "$PODMAN_IMAGE" probe exit 3

        # and without -t there is no tty
        run_podman run -i --rm --network none "$PODMAN_IMAGE" probe isatty 0
        is "$output" "false" "run -i without -t: stdin is no tty"
}

@test "podman run -d, logs: the output is kept" {
        run_podman run -d --network none "$PODMAN_IMAGE" \
                sh -c 'echo to-stdout; echo to-stderr >&2; exec probe sleep 600'
        local cid=${lines[-1]}
        wait_for_logs "$cid" "to-stderr"
        run_podman logs "$cid"
        assert_line_contains "to-stdout"
        assert_line_contains "to-stderr"
        run_podman inspect --format '{{.State.Status}}' "$cid"
        is "$output" "running" "status of the detached container"

        # a short one: its exit code and output stay after it ends
        run_podman run -d --network none "$PODMAN_IMAGE" sh -c 'echo done-here; exit 4'
        cid=${lines[-1]}
        run_podman wait "$cid"
        is "$output" "4" "podman wait: the exit code"
        run_podman logs "$cid"
        is "$output" "done-here" "logs of the ended container"
}

@test "podman stop: TERM, then KILL after the timeout" {
        # sh traps TERM (sleep in the background so that the trap runs at once)
        run_podman run -d --network none "$PODMAN_IMAGE" \
                sh -c 'trap "echo got-term; exit 3" TERM; echo ready; sleep 600 & wait'
        local cid=${lines[-1]} t0 elapsed
        wait_for_logs "$cid" "ready"
        t0=$(_now_ms)
        run_podman stop -t 10 "$cid"
        elapsed=$(($(_now_ms) - t0))
        [ "$elapsed" -lt 5000 ] || die "stop took ${elapsed}ms for a container that exits on TERM"
        run_podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$cid"
        is "$output" "exited 3" "the container ended by its TERM trap"
        run_podman logs "$cid"
        assert_line_contains "got-term"

        # probe as pid 1 does not die of TERM (no handler): KILL after -t 1
        run_podman run -d --network none "$PODMAN_IMAGE" probe sleep 600
        cid=${lines[-1]}
        t0=$(_now_ms)
        run_podman stop -t 1 "$cid"
        elapsed=$(($(_now_ms) - t0))
        [ "$elapsed" -lt 6000 ] || die "stop -t 1 took ${elapsed}ms"
        [ "$elapsed" -ge 900 ] || die "stop -t 1 took only ${elapsed}ms: TERM should have been ignored"
        run_podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$cid"
        is "$output" "exited 137" "the container was killed"
}

@test "podman exec: output, exit code, user, cwd, env, tty" {
        run_podman run -d --network none "$PODMAN_IMAGE" probe sleep 600
        local cid=${lines[-1]}

        run_podman exec "$cid" probe id
        is "$output" "uid=0 gid=0 groups=*" "exec probe id"
        # in the container's pid namespace: pid 1 is the container's process
        run_podman exec "$cid" sh -c 'tr "\0" " " </proc/1/cmdline'
        is "$output" "probe sleep 600 " "pid 1 seen by exec"

        run_podman 5 exec "$cid" sh -c 'echo out-line; echo err-line >&2; exit 5'
        assert_line_contains "out-line"
        assert_line_contains "err-line"

        run_podman exec --user 1000:1000 "$cid" probe id
        is "$output" "uid=1000 gid=1000 groups=*" "exec --user"
        run_podman exec -w /tmp "$cid" probe cwd
        is "$output" "/tmp" "exec -w"
        run_podman exec -e CUTTLE_X=from-exec "$cid" probe env CUTTLE_X
        is "$output" "from-exec" "exec -e"

        run_podman 127 exec "$cid" no-such-command
        assert_line_contains "executable file not found"

        run_podman_tty cuttle 0 exec -it "$cid" sh -c 'probe isatty 0; probe isatty 1'
        is "${lines[0]}" "true" "exec -it: stdin is a tty"
        is "${lines[1]}" "true" "exec -it: stdout is a tty"

        # the container is still running after all that
        run_podman inspect --format '{{.State.Status}}' "$cid"
        is "$output" "running" "status after the execs"
}

@test "podman run --user 1000:1000" {
        run_podman_runc run --rm --network none --user 1000:1000 "$PODMAN_IMAGE" probe id
        local want=$output
        is "$want" "uid=1000 gid=1000 groups=*" "runc: probe id"

        run_podman run --rm --network none --user 1000:1000 "$PODMAN_IMAGE" probe id
        is "$output" "$want" "cuttle-runtime: the same as runc"
}

@test "podman run --memory 64m: the memory cgroup limit" {
        local file=memory.limit_in_bytes
        [ -f /sys/fs/cgroup/cgroup.controllers ] && file=memory.max

        run_podman run -d --network none --memory 64m "$PODMAN_IMAGE" probe sleep 600
        local cid=${lines[-1]} dir pid
        dir=$(podman_cgroup_dir "$cid" memory)
        run cat "$dir/$file"
        is "$output" "67108864" "host: $dir/$file"
        pid=$(_podman_quiet cuttle inspect --format '{{.State.Pid}}' "$cid")
        grep -qx "$pid" "$dir/cgroup.procs" || die "pid $pid is not in $dir/cgroup.procs"

        # the container sees its own cgroup at /sys/fs/cgroup
        if [ "$file" = memory.max ]; then
                run_podman exec "$cid" probe cat /sys/fs/cgroup/memory.max
        else
                run_podman exec "$cid" probe cat /sys/fs/cgroup/memory/memory.limit_in_bytes
        fi
        is "$output" "67108864" "the limit inside the container"

        # and it is enforced: allocating 300 MiB (more than memory + swap) is OOM-killed
        run_podman_runc 137 run --rm --network none --memory 64m "$PODMAN_IMAGE" probe memhog 300
        run_podman 137 run --rm --network none --memory 64m "$PODMAN_IMAGE" probe memhog 300
}

@test "podman run --pids-limit 50" {
        run_podman run -d --network none --pids-limit 50 "$PODMAN_IMAGE" probe sleep 600
        local cid=${lines[-1]} dir n
        dir=$(podman_cgroup_dir "$cid" pids)
        run cat "$dir/pids.max"
        is "$output" "50" "host: $dir/pids.max"

        run_podman exec "$cid" probe fork 100
        n=${lines[-1]}
        is "$n" "[0-9]+" "probe fork prints a number"
        # 50 minus pid 1 and the exec'd probe itself
        [ "$n" -le 48 ] && [ "$n" -ge 40 ] || die "fork 100 under pids.max 50 made $n children"
}

@test "podman run --cap-drop all: no capabilities; default set as with runc" {
        run_podman run --rm --network none --cap-drop all "$PODMAN_IMAGE" probe caps
        is "$output" "CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapBnd: 0000000000000000
CapAmb: 0000000000000000" "--cap-drop all"

        run_podman_runc run --rm --network none "$PODMAN_IMAGE" probe caps
        local want=$output
        run_podman run --rm --network none "$PODMAN_IMAGE" probe caps
        is "$output" "$want" "podman's default capabilities: the same as with runc"
}

@test "podman run --read-only: the root cannot be written" {
        run_podman 1 run --rm --network none --read-only "$PODMAN_IMAGE" probe write /x hello
        assert_line_contains "Read-only file system"
        run_podman run --rm --network none --read-only "$PODMAN_IMAGE" probe mount-opts /
        is "$output" "ro,*" "mount options of /"

        # podman's tmpfs on /tmp is writable (--read-only-tmpfs), as with runc
        run_podman_runc run --rm --network none --read-only "$PODMAN_IMAGE" \
                sh -c 'probe write /tmp/x hello && probe cat /tmp/x'
        is "$output" "hello" "runc: /tmp is writable"
        run_podman run --rm --network none --read-only "$PODMAN_IMAGE" \
                sh -c 'probe write /tmp/x hello && probe cat /tmp/x'
        is "$output" "hello" "cuttle-runtime: /tmp is writable"
}

@test "podman run --security-opt seccomp=FILE: mkdir denied with the profile's errno" {
        local profile=$CUTTLE_TEST_DIR/seccomp.json
        cat >"$profile" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18 }
  ]
}
EOF
        local script='probe syscall mkdir; probe syscall getcwd; probe status Seccomp'
        run_podman_runc run --rm --network none --security-opt "seccomp=$profile" \
                "$PODMAN_IMAGE" sh -c "$script"
        is "$output" "errno 18 EXDEV
ok
2" "runc: mkdir denied, getcwd allowed, seccomp filter mode"

        run_podman run --rm --network none --security-opt "seccomp=$profile" \
                "$PODMAN_IMAGE" sh -c "$script"
        is "$output" "errno 18 EXDEV
ok
2" "cuttle-runtime: mkdir denied, getcwd allowed, seccomp filter mode"

        # podman's default profile lets mkdir through
        run_podman run --rm --network none "$PODMAN_IMAGE" probe syscall mkdir
        is "$output" "ok" "mkdir without the profile"
}
