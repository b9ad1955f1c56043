#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd integration: --sdnotify container|conmon|ignore with the caller's NOTIFY_SOCKET (a
# unix datagram socket this suite binds on the host and records), socket activation
# (LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES) and --preserve-fds.
#
# The container side needs a program that speaks sd_notify and serves a passed socket;
# busybox has neither, so the suite builds a small static helper (sdh) once per run and
# mounts it into the containers.

load helpers
load engine

SDH_SRC='
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
/* sdh send MSG...: one datagram per MSG to $NOTIFY_SOCKET.
 * sdh serve TEXT: accepts one connection on fd 3 and writes TEXT to it. */
int main(int argc, char **argv) {
        if (argc >= 3 && strcmp(argv[1], "send") == 0) {
                const char *p = getenv("NOTIFY_SOCKET");
                if (!p) { fprintf(stderr, "sdh: no NOTIFY_SOCKET\n"); return 2; }
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                strncpy(sa.sun_path, p, sizeof sa.sun_path - 1);
                int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
                for (int i = 2; i < argc; i++)
                        if (sendto(fd, argv[i], strlen(argv[i]), 0, (struct sockaddr *) &sa, sizeof sa) < 0) {
                                perror("sdh: sendto");
                                return 1;
                        }
                return 0;
        }
        if (argc == 3 && strcmp(argv[1], "serve") == 0) {
                int c = accept(3, NULL, NULL);
                if (c < 0) { perror("sdh: accept"); return 1; }
                if (write(c, argv[2], strlen(argv[2])) < 0) return 1;
                close(c);
                return 0;
        }
        fprintf(stderr, "usage: sdh send MSG... | sdh serve TEXT\n");
        return 2;
}
'

# The recorder: binds a datagram socket and appends every datagram, then "\n--\n", to a file.
RECORDER='
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
out = open(log, "ab", buffering=0)
open(log + ".ready", "w").close()
while True:
    out.write(s.recv(65536) + b"\n--\n")
'

setup() {
        engine_setup
        SDH=$BATS_RUN_TMPDIR/sdh
        if [ ! -x "$SDH" ]; then
                (
                        flock 9
                        if [ ! -x "$SDH" ]; then
                                printf '%s' "$SDH_SRC" >"$SDH.c" &&
                                        cc -static -O2 -o "$SDH.new" "$SDH.c" && mv "$SDH.new" "$SDH"
                        fi
                ) 9>"$SDH.lock" || die "building the sd_notify helper (cc -static) failed"
        fi
        make_image busy
        HOST_SOCK=$CUTTLE_TEST_DIR/notify.sock
        REC_LOG=$CUTTLE_TEST_DIR/notify.log
        REC_PID=
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        if [ -n "$REC_PID" ]; then
                kill "$REC_PID" 2>/dev/null || true
                wait "$REC_PID" 2>/dev/null || true
        fi
        engine_teardown
}

# start_recorder: the caller's NOTIFY_SOCKET at $HOST_SOCK, recorded into $REC_LOG.
start_recorder() {
        : >"$REC_LOG"
        python3 -c "$RECORDER" "$HOST_SOCK" "$REC_LOG" 3>&- &
        REC_PID=$!
        wait_for_file "$REC_LOG.ready"
}

# recorded [N]: the recorded datagrams with pids as N (waiting up to 5 s for N of them),
# one per line with "\n" inside a datagram shown as "|".
recorded() {
        local want=${1:-0} i
        for ((i = 0; i < 50; i++)); do
                [ "$(grep -c '^--$' "$REC_LOG")" -ge "$want" ] && break
                sleep 0.1
        done
        awk 'BEGIN { m = "" } /^--$/ { print m; m = ""; next } { m = (m == "" ? $0 : m "|" $0) }' \
                "$REC_LOG" | sed -E 's/MAINPID=[0-9]+/MAINPID=N/g'
}

# cuttle_fds ARGS…: cuttle with this test's root, through bats' run, for commands whose
# fds 3.. are given at the call (run_engine points fd 3 at /dev/null).
cuttle_fds() {
        run timeout 60 "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@"
        echo "$output"
}

# monitor_of NAME: the pid of the container's monitor (the parent of its process).
monitor_of() {
        local pid
        pid=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.State.Pid}}' "$1")
        awk '{print $4}' "/proc/$pid/stat"
}

@test "sdnotify=conmon: MAINPID (the monitor) and READY=1 once started; the container gets no socket" {
        start_recorder
        NOTIFY_SOCKET=$HOST_SOCK run_engine run -d --name c1 --sdnotify=conmon busy \
                sh -c 'echo "NS=[$NOTIFY_SOCKET]"; ls /run/notify 2>&1; sleep 100'
        run recorded 1
        is "$output" "MAINPID=N|READY=1"
        mon=$(monitor_of c1)
        grep -qx "MAINPID=$mon" "$REC_LOG" || die "MAINPID is not the monitor's pid $mon: $(cat "$REC_LOG")"
        run_engine logs c1
        is "${lines[0]}" "NS=\[\]"
        is "${lines[1]}" ".*No such file or directory"
        run_engine inspect --format '{{.Config.SdNotifyMode}} {{.Config.SdNotifySocket}}' c1
        is "$output" "conmon $HOST_SOCK"
}

@test "sdnotify=container: the proxy relays, MAINPID rewritten; run -d does not wait for READY=1" {
        start_recorder
        # the container sends only once the test lets it: run -d must return before (podman
        # 4.3 does not wait either)
        NOTIFY_SOCKET=$HOST_SOCK run_engine run -d --name c2 -v "$SDH:/usr/bin/sdh:ro" busy sh -c \
                'echo "NS=$NOTIFY_SOCKET"; ls -l /run/notify/notify.sock;
                 while [ ! -e /tmp/go ]; do sleep 0.1; done; echo sending;
                 sdh send "STATUS=almost" "MAINPID=77
READY=1"; sleep 100'
        run recorded 1
        is "$output" "MAINPID=N"
        run_engine exec c2 touch /tmp/go
        run recorded 3
        is "$output" "MAINPID=N
STATUS=almost
MAINPID=N|READY=1"
        run_engine logs c2
        is "${lines[0]}" "NS=/run/notify/notify.sock"
        is "${lines[1]}" "srwxrwxrwx .* /run/notify/notify.sock"
        is "${lines[2]}" "sending"
        mon=$(monitor_of c2)
        n=$(grep -cx "MAINPID=$mon" "$REC_LOG")
        [ "$n" -eq 2 ] || die "MAINPID is not the monitor's pid $mon twice: $(cat "$REC_LOG")"
        run_engine inspect --format '{{.Config.SdNotifyMode}} {{.Config.SdNotifySocket}}' c2
        is "$output" "container $HOST_SOCK"
        # the socket lives in the run directory; it goes with the container's monitor
        cid=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.Id}}' c2)
        [ -S "$ENGINE_RUNROOT/containers/$cid/notify/notify.sock" ] || die "no proxy socket"
        run_engine stop -t 0 c2
        run_engine wait c2
        for _ in $(seq 20); do
                [ -e "$ENGINE_RUNROOT/containers/$cid/notify/notify.sock" ] || break
                sleep 0.1
        done
        [ ! -e "$ENGINE_RUNROOT/containers/$cid/notify/notify.sock" ] || die "proxy socket left after the exit"
        run_engine rm c2
        [ ! -e "$ENGINE_RUNROOT/containers/$cid" ] || die "run directory left after rm"
}

@test "sdnotify=container: a container that exits without READY=1: run -d succeeds" {
        start_recorder
        NOTIFY_SOCKET=$HOST_SOCK run_engine run -d --name c3 busy sh -c 'sleep 0.5; exit 3'
        run_engine wait c3
        is "$output" "3"
        run recorded 1
        is "$output" "MAINPID=N"
}

@test "sdnotify=container: start relays too; a restart by the monitor keeps relaying" {
        start_recorder
        NOTIFY_SOCKET=$HOST_SOCK run_engine create --name c4 --restart on-failure:1 \
                -v "$SDH:/usr/bin/sdh:ro" busy sh -c \
                'sleep 0.5; echo up; sdh send "READY=1" "STATUS=run"; test -e /tmp/again || { touch /tmp/again; exit 1; }; sleep 100'
        NOTIFY_SOCKET=$HOST_SOCK run_engine start c4
        # the restart (after exit 1) sends again through the same proxy
        run recorded 5
        is "$output" "MAINPID=N
READY=1
STATUS=run
READY=1
STATUS=run"
        run_engine inspect --format '{{.State.Status}}' c4
        is "$output" "running"
        run_engine logs c4
        is "$output" "up
up"
}

@test "sdnotify=ignore: nothing sent, no NOTIFY_SOCKET in the container" {
        start_recorder
        NOTIFY_SOCKET=$HOST_SOCK run_engine run --name c5 --sdnotify ignore busy \
                sh -c 'echo "NS=[$NOTIFY_SOCKET]"'
        is "$output" "NS=\[\]"
        sleep 0.3
        run recorded 0
        is "$output" ""
        run_engine inspect --format '[{{.Config.SdNotifyMode}}] [{{.Config.SdNotifySocket}}]' c5
        is "$output" "\[ignore\] \[\]"
}

@test "sdnotify: without a NOTIFY_SOCKET nothing is mounted; the default mode is container" {
        run env -u NOTIFY_SOCKET "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run \
                --name c6 busy sh -c 'echo "NS=[$NOTIFY_SOCKET]"; ls /run/notify 2>&1; true'
        is "$status" 0
        is "${lines[0]}" "NS=\[\]"
        is "${lines[1]}" ".*No such file or directory"
        run_engine inspect --format '[{{.Config.SdNotifyMode}}] [{{.Config.SdNotifySocket}}]' c6
        is "$output" "\[container\] \[\]"
}

@test "sdnotify: a bad value is podman's error, exit 125, nothing created" {
        run_engine 125 run --sdnotify=bogus busy true
        is "$output" 'Error: invalid config provided: invalid argument: invalid sdnotify value "bogus": must be container, conmon or ignore'
        run_engine 125 create --sdnotify= --sdnotify Conmon busy true
        is "$output" 'Error: .*invalid sdnotify value "Conmon".*'
        run_engine ps -aq
        is "$output" ""
}

@test "socket activation: LISTEN_FDS fds reach the container, LISTEN_PID=1, LISTEN_FDNAMES kept" {
        # a listening unix socket as fd 3, LISTEN_* as systemd sets them, then exec cuttle
        act=$CUTTLE_TEST_DIR/act.sock
        run python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(4)
os.dup2(s.fileno(), 3); s.close()
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="web")
os.execv(sys.argv[2], sys.argv[2:])
' "$act" "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run -d --name act \
                -v "$SDH:/usr/bin/sdh:ro" busy sh -c 'env | grep ^LISTEN_ | sort; sdh serve hello-from-fd3'
        is "$status" 0 "$output"
        run python3 -c '
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.settimeout(10); c.connect(sys.argv[1]); print(c.recv(100).decode())
' "$act"
        is "$output" "hello-from-fd3"
        run_engine wait act
        is "$output" "0"
        run_engine logs act
        is "$output" "LISTEN_FDNAMES=web
LISTEN_FDS=1
LISTEN_PID=1"
}

@test "socket activation: a LISTEN_PID other than ours still passes the fds (as podman)" {
        printf 'fd3\n' >"$CUTTLE_TEST_DIR/fd3"
        LISTEN_FDS=1 LISTEN_PID=1 cuttle_fds run --rm busy sh -c 'echo $LISTEN_PID; cat <&3' 3<"$CUTTLE_TEST_DIR/fd3"
        is "$status" 0
        is "$output" "1
fd3"
        LISTEN_FDS=x run_engine 125 run --rm busy true
        is "$output" 'Error: converting LISTEN_FDS=x: strconv.Atoi: parsing "x": invalid syntax'
}

@test "--preserve-fds: fds 3.. reach the container; a missing one is refused" {
        printf 'three\n' >"$CUTTLE_TEST_DIR/f3"
        printf 'four\n' >"$CUTTLE_TEST_DIR/f4"
        cuttle_fds run --rm --preserve-fds 2 busy sh -c 'cat <&3; cat <&4; ls /proc/self/fd | sort -n | tr "\n" " "' \
                3<"$CUTTLE_TEST_DIR/f3" 4<"$CUTTLE_TEST_DIR/f4"
        is "$status" 0
        is "${lines[0]}" "three"
        is "${lines[1]}" "four"
        # 0-2, 3 and 4, and ls's own directory fd: nothing else leaks in
        is "${lines[2]}" "0 1 2 3 4 5 "
        cuttle_fds run --rm --preserve-fds 2 busy true 3<"$CUTTLE_TEST_DIR/f3" 4<&-
        is "$status" 125
        is "$output" "Error: file descriptor 4 is not available - the preserve-fds option requires that all file descriptors must be passed"
        run_engine ps -aq
        is "$output" ""
}

@test "sdnotify: what cuttle sends is what podman sends (pids normalised)" {
        command -v podman >/dev/null || skip "podman is not installed on this machine"
        command -v runc >/dev/null || skip "podman needs runc here, which is not installed"
        local proot=$CUTTLE_TEST_DIR/proot prun=$CUTTLE_TEST_DIR/prun conf=$CUTTLE_TEST_DIR/containers.conf
        printf '[containers]\ndefault_ulimits = []\n' >"$conf"
        P=(env CONTAINERS_CONF="$conf" podman --runtime runc --root "$proot" --runroot "$prun" --storage-driver vfs)
        rootfs_tar "$CUTTLE_TEST_DIR/p.tar"
        "${P[@]}" import -q "$CUTTLE_TEST_DIR/p.tar" busy >/dev/null || die "podman import failed"
        start_recorder
        local mode out_p out_c
        for mode in conmon container; do
                : >"$REC_LOG"
                NOTIFY_SOCKET=$HOST_SOCK "${P[@]}" run -d --network none --name "p-$mode" --sdnotify=$mode \
                        -v "$SDH:/usr/bin/sdh:ro" busy sh -c 'sleep 0.3; sdh send READY=1; sleep 100' >/dev/null ||
                        die "podman run --sdnotify=$mode failed"
                out_p=$(recorded 2 | sed 's/|/\n/g')
                "${P[@]}" rm -f -t 0 "p-$mode" >/dev/null
                : >"$REC_LOG"
                NOTIFY_SOCKET=$HOST_SOCK run_engine run -d --name "c-$mode" --sdnotify=$mode \
                        -v "$SDH:/usr/bin/sdh:ro" busy sh -c 'sleep 0.3; sdh send READY=1; sleep 100'
                out_c=$(recorded 2 | sed 's/|/\n/g')
                is "$out_c" "$out_p" "--sdnotify=$mode: cuttle's messages against podman's"
        done
        "${P[@]}" rmi -af >/dev/null 2>&1 || true
        rm -rf "$proot" "$prun" 2>/dev/null || umount -R "$proot" 2>/dev/null || true
}

@test "exec --preserve-fds: fds 3.. reach the exec'd process" {
        run_engine run -d --name ex busy sleep 100
        printf 'for-exec\n' >"$CUTTLE_TEST_DIR/f3"
        cuttle_fds exec --preserve-fds 1 ex sh -c 'cat <&3' 3<"$CUTTLE_TEST_DIR/f3"
        is "$status" 0
        is "$output" "for-exec"
        cuttle_fds exec ex sh -c 'cat <&3' 3<"$CUTTLE_TEST_DIR/f3"
        is "$output" ".*Bad file descriptor" "without --preserve-fds fd 3 stays out"
        cuttle_fds exec --preserve-fds 1 ex true 3<&-
        is "$status" 125
        is "$output" "Error: file descriptor 3 is not available - the preserve-fds option requires that all file descriptors must be passed"
}

@test "--runtime runc: the proxy and the preserved fds work through an external runtime" {
        command -v runc >/dev/null || skip "runc is not installed on this machine"
        start_recorder
        printf 'via-runc\n' >"$CUTTLE_TEST_DIR/f3"
        NOTIFY_SOCKET=$HOST_SOCK cuttle_fds run --rm --runtime runc --preserve-fds 1 \
                -v "$SDH:/usr/bin/sdh:ro" busy sh -c 'cat <&3; echo "NS=$NOTIFY_SOCKET"; sdh send READY=1' \
                3<"$CUTTLE_TEST_DIR/f3"
        is "$status" 0
        is "$output" "via-runc
NS=/run/notify/notify.sock"
        run recorded 2
        is "$output" "MAINPID=N
READY=1"
}
