#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The container's user and the files the engine makes and bind-mounts: --user (resolved in the
# image's /etc/passwd and /etc/group, generated entries for numeric users), --passwd-entry,
# --group-entry, --passwd=false, --group-add, --umask, --hostuser, read-only roots,
# /etc/hostname, /run/.containerenv, --tz, --shm-size, --workdir; bad input.
#
# Where podman is installed the same command runs under podman (runc, vfs, no network, its own
# root in a temporary directory, the same busybox image) and the two views are compared, ids
# normalised.  Known differences, each said where it shows:
#   - start-time errors of `run` (unknown user or group, missing workdir): podman exits 126
#     (its define.ExitCode()), cuttle 125 as for every engine error today; the exit-code
#     mapping of `run` belongs to container-run.c (and 200-containers.bats expects 125);
#   - .containerenv says engine="cuttle-VERSION" where podman says engine="podman-VERSION".

bats_require_minimum_version 1.5.0

load helpers
load engine

setup_file() {
        PODMAN_TMP=
        if command -v podman >/dev/null && command -v runc >/dev/null && command -v conmon >/dev/null; then
                PODMAN_TMP=$(mktemp -d /tmp/cuttle-bind-podman.XXXXXX)
                printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\ntmp_dir = "%s/tmp"\n' \
                        "$PODMAN_TMP" >"$PODMAN_TMP/containers.conf"
                mkdir -p "$PODMAN_TMP/tmp"
                rootfs_tar "$PODMAN_TMP/img.tar"
                _pm import "$PODMAN_TMP/img.tar" busy >/dev/null 2>&1 || die "podman import failed"
                _pm import --change 'WORKDIR /made/here' --change 'USER tester' \
                        "$PODMAN_TMP/img.tar" busywd >/dev/null 2>&1 || die "podman import failed"
        fi
        export PODMAN_TMP
}

teardown_file() {
        [ -n "${PODMAN_TMP:-}" ] && [ -d "$PODMAN_TMP" ] || return 0
        _pm rm -a -f -t 0 >/dev/null 2>&1 || true
        _pm rmi -a -f >/dev/null 2>&1 || true
        rm -rf "$PODMAN_TMP"
}

setup() {
        engine_setup
        make_image busy
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        engine_teardown
}

_pm() {
        CONTAINERS_CONF=$PODMAN_TMP/containers.conf podman --root "$PODMAN_TMP/root" \
                --runroot "$PODMAN_TMP/runroot" --storage-driver vfs --runtime runc "$@"
}

# same_as_podman [RC] ARGS…: cuttle ARGS… (checked for RC, default 0); then, if podman is
# here, podman ARGS… with --network none after `run` must print the same (container ids
# normalised) with the same exit code.  $output stays cuttle's.
same_as_podman() {
        local rc=0
        if [[ ${1:-} =~ ^[0-9]+$ ]]; then
                rc=$1
                shift
        fi
        run_engine "$rc" "$@"
        local mine=$output
        [ -n "$PODMAN_TMP" ] || return 0
        local args=("$@")
        [ "${args[0]}" = run ] && args=(run --network none "${args[@]:1}")
        local theirs prc=0
        theirs=$(_pm "${args[@]}" 2>&1) || prc=$?
        echo "podman (rc=$prc): $theirs"
        [ "$prc" = "$rc" ] || die "podman exited $prc, cuttle $rc: ${args[*]}"
        local norm='s/[0-9a-f]{64}/ID/g; s/[0-9a-f]{12}/SHORTID/g'
        is "$(sed -E "$norm" <<<"$mine")" "$(sed -E "$norm" <<<"$theirs")" "cuttle and podman: $*"
        output=$mine
}

@test "--user: ids, groups, HOME and generated passwd/group entries as podman" {
        local show='id; echo HOME=$HOME; tail -1 /etc/passwd; tail -1 /etc/group'
        same_as_podman run --rm --user 1234 busy sh -c "$show"
        is "$output" "uid=1234\(1234\) gid=0\(root\) groups=0\(root\)
HOME=/
1234:\*:1234:0:container user:/:/bin/sh
1234:x:1234:1234"
        same_as_podman run --rm --user 1234:5678 -w /tmp busy sh -c "$show"
        is "${lines[1]}" "HOME=/tmp" "a generated user's home is the workdir"
        is "${lines[2]}" "1234:\*:1234:5678:container user:/tmp:/bin/sh"
        is "${lines[3]}" "5678:x:5678:1234"
        same_as_podman run --rm --user tester busy sh -c "$show"
        is "${lines[0]}" "uid=1000\(tester\) gid=1000\(tester\) groups=100\(users\),1000\(tester\)"
        is "${lines[1]}" "HOME=/home/tester"
        same_as_podman run --rm --user tester:root busy sh -c 'id; echo HOME=$HOME'
        is "$output" "uid=1000\(tester\) gid=0\(root\) groups=0\(root\)
HOME=/home/tester"
        same_as_podman run --rm --user 1000:users busy id
        is "$output" "uid=1000\(tester\) gid=100\(users\) groups=100\(users\)"
        same_as_podman run --rm busy sh -c 'id; echo HOME=$HOME'
        is "$output" "uid=0\(root\) gid=0\(root\)
HOME=/root"
        same_as_podman run --rm -e HOME=/mine --user tester busy sh -c 'echo $HOME'
        is "$output" "/mine" "HOME from -e wins"
}

@test "--user: the entries go to the container's own files, once; the image is untouched" {
        run_engine run --name rw --user 1234 busy sh -c 'grep -c ^1234: /etc/passwd; grep -c ^1234: /etc/group'
        is "$output" "1
1"
        run_engine start -a rw
        is "$output" "1
1" "a second start adds nothing"
        run_engine run --rm busy sh -c 'grep -c ^1234: /etc/passwd || true'
        is "$output" "0" "another container of the image has no such entry"
}

@test "--read-only: passwd and group copies are mounted read-only, nothing is written to the root" {
        same_as_podman run --rm --read-only --user 1234 busy sh -c 'id; tail -1 /etc/passwd; tail -1 /etc/group'
        run_engine run --rm --read-only --user 1234 busy grep -E ' /etc/(passwd|group|hostname) ' /proc/mounts
        is "${#lines[@]}" 3
        for l in "${lines[@]}"; do
                is "$l" ".* ro,nosuid,nodev,noexec,.*" "read-only bind mount: $l"
        done
        run_engine create --name ro --read-only --user 1234 busy true
        run_engine start ro
        run_engine wait ro
        local id
        id=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.Id}}' ro)
        run grep -c '^1234:' "$ENGINE_ROOT/containers/$id/userdata/passwd"
        is "$output" "1" "the copy lives in the container's userdata"
        run_engine run --rm busy sh -c 'grep -c ^1234: /etc/passwd || true'
        is "$output" "0"
        run_engine 1 run --rm --read-only busy sh -c 'echo x >>/etc/passwd'
}

@test "--passwd-entry, --group-entry, --passwd=false" {
        same_as_podman run --rm --user 1234:2000 -w /tmp \
                --passwd-entry '$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/false' busy \
                sh -c 'tail -1 /etc/passwd; id; echo $HOME'
        is "$output" "1234:x:1234:2000:container user:/tmp:/bin/false
uid=1234\(1234\) gid=2000\(2000\) groups=2000\(2000\)
/tmp"
        # podman 4.3 has no --group-entry (4.4 added it: $GROUPNAME $GID $USERLIST)
        run_engine run --rm --user 1234:2000 --group-entry 'grp$GROUPNAME:x:$GID:$USERLIST' busy \
                sh -c 'tail -1 /etc/group; id -gn'
        is "$output" "grp2000:x:2000:1234
grp2000"
        same_as_podman run --rm --user 1234 --passwd=false busy sh -c 'tail -1 /etc/passwd; tail -1 /etc/group; id; echo HOME=$HOME'
        is "$output" "nobody:x:65534:65534:nobody:/nonexistent:/bin/false
nogroup:x:65534:
uid=1234 gid=0\(root\) groups=0\(root\)
HOME=/"
}

@test "--group-add (names, numbers, keep-groups), --umask, --hostuser" {
        same_as_podman run --rm --group-add users --group-add 44 busy id
        is "$output" "uid=0\(root\) gid=0\(root\) groups=44,100\(users\)"
        same_as_podman run --rm --group-add keep-groups busy id
        is "$output" "uid=0\(root\) gid=0\(root\)"
        same_as_podman 125 run --rm --group-add keep-groups --group-add users busy id
        is "$output" "Error: the '--group-add keep-groups' option is not allowed with any other --group-add options"
        same_as_podman run --rm --umask 077 busy sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
        is "$output" "0077
600"
        same_as_podman run --rm --umask 7777 busy sh -c umask
        is "$output" "0777" "a 4-digit umask is masked to 0777, as the kernel does"
        same_as_podman run --rm --hostuser daemon busy sh -c 'tail -1 /etc/passwd; echo $HOME; id -u'
        is "$output" "daemon:\*:1:1:daemon:/:/bin/sh
/
0"
        same_as_podman run --rm --user daemon --hostuser daemon busy id
        is "$output" "uid=1\(daemon\) gid=1 groups=1"
        same_as_podman run --rm --hostuser nobody busy sh -c 'grep -c ^nobody: /etc/passwd'
        is "$output" "1" "a host user the image has is not added"
}

@test "/etc/hostname, /run/.containerenv" {
        same_as_podman run --rm --hostname hh busy sh -c 'cat /etc/hostname; wc -c </run/.containerenv'
        is "$output" "hh0" "/etc/hostname has no newline (podman's)"
        run_engine run --rm busy grep -E ' /(etc/hostname|run/.containerenv) ' /proc/mounts
        is "${#lines[@]}" 2
        # --privileged: podman's fields (whether or not this machine lets it start)
        run_engine create --privileged --name pv busy true
        local id
        id=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.Id}}' pv)
        run_engine '?' start pv
        run cat "$ENGINE_ROOT/containers/$id/userdata/.containerenv"
        is "$output" "engine=\"cuttle-[0-9.]+\"
name=\"pv\"
id=\"$id\"
image=\"localhost/busy:latest\"
imageid=\"$IMAGE_ID\"
rootless=0"
        # a read-only root gets a tmpfs on /run: no .containerenv (the seed's rule)
        run_engine 1 run --rm --read-only busy test -e /run/.containerenv
}

@test "--tz: a zone, local, and bad zones" {
        same_as_podman run --rm --tz Europe/Paris busy date +%Z
        is "$output" "$(TZ=Europe/Paris date +%Z)"
        run_engine run --rm --tz Asia/Tokyo busy md5sum /etc/localtime
        is "${output%% *}" "$(md5sum </usr/share/zoneinfo/Asia/Tokyo | cut -d' ' -f1)"
        run_engine run --rm --tz local busy md5sum /etc/localtime
        is "${output%% *}" "$(md5sum <"$(realpath /etc/localtime)" | cut -d' ' -f1)"
        same_as_podman 125 run --rm --tz Nowhere/Bad busy true
        is "$output" "Error: running container create option: stat /usr/share/zoneinfo/Nowhere/Bad: no such file or directory"
        same_as_podman 125 run --rm --tz Europe busy true
        is "$output" "Error: running container create option: invalid timezone: is a directory"
        # podman accepts this at create and fails at start; cuttle refuses it at once
        run_engine 125 run --rm --tz ../../../etc/passwd busy true
        is "$output" "Error: running container create option: finding timezone ../../../etc/passwd: time: invalid location name"
        run_engine 125 run --rm --tz zone.tab busy true
        is "$output" "Error: running container create option: unknown time zone zone.tab"
        run_engine ps -aq
        is "$output" "" "nothing left behind"
}

@test "--shm-size: /dev/shm's size and options" {
        same_as_podman run --rm busy grep ' /dev/shm ' /proc/mounts
        is "$output" "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=64000k 0 0"
        same_as_podman run --rm --shm-size 1g busy df -k /dev/shm
        is "${lines[1]}" "shm +1048576 +0 +1048576 +0% /dev/shm"
        same_as_podman run --rm --shm-size 10000 busy grep ' /dev/shm ' /proc/mounts
        is "$output" ".*,size=12k 0 0"
        same_as_podman 125 run --rm --shm-size 1x busy true
        is "$output" "Error: unable to translate --shm-size: invalid size: '1x'"
}

@test "--workdir: missing, a file, symlink chains, loops, escapes; an image's workdir is made" {
        rootfs_tar "$CUTTLE_TEST_DIR/l.tar"
        mkdir -p "$CUTTLE_TEST_DIR/links"
        ln -s lnk2 "$CUTTLE_TEST_DIR/links/lnk1"
        ln -s /nonexistent "$CUTTLE_TEST_DIR/links/lnk2"
        ln -s ../../../tmp "$CUTTLE_TEST_DIR/links/lnkesc"
        ln -s loopb "$CUTTLE_TEST_DIR/links/loopa"
        ln -s loopa "$CUTTLE_TEST_DIR/links/loopb"
        ln -s /home/tester "$CUTTLE_TEST_DIR/links/tohome"
        tar -C "$CUTTLE_TEST_DIR/links" -rf "$CUTTLE_TEST_DIR/l.tar" lnk1 lnk2 lnkesc loopa loopb tohome
        run_engine import "$CUTTLE_TEST_DIR/l.tar" links
        run_engine run --rm -w /lnkesc links pwd
        is "$output" "/tmp" "a link out of the root stays inside"
        run_engine run --rm -w /tohome links pwd
        is "$output" "/home/tester"
        run_engine 125 run --rm -w /lnk1 links pwd
        is "$output" "Error: workdir \"/lnk1\" does not exist on container [0-9a-f]{64}"
        run_engine 125 run --rm -w /loopa links pwd
        is "$output" "Error: detecting workdir \"/loopa\" on container [0-9a-f]{64}: stat .*/loopa: too many levels of symbolic links"
        # podman: the same messages, exit 126 (see the top of this file)
        same_as_podman run --rm -w /tmp busy pwd
        is "$output" "/tmp"
        run_engine 125 run --rm -w /nonexist busy pwd
        is "$output" "Error: workdir \"/nonexist\" does not exist on container [0-9a-f]{64}"
        run_engine 125 run --rm -w /etc/passwd busy pwd
        is "$output" "Error: workdir \"/etc/passwd\" exists on container [0-9a-f]{64}, but is not a directory"
        if [ -n "$PODMAN_TMP" ]; then
                run -126 _pm run --rm --network none -w /nonexist busy pwd
                is "$output" "Error: workdir \"/nonexist\" does not exist on container [0-9a-f]{64}"
        fi
        run_engine 125 run --rm -w relative busy pwd
        is "$output" "Error: workdir relative must be an absolute path"
        # the image's workdir is made, owned by the image's user
        rootfs_tar "$CUTTLE_TEST_DIR/w.tar"
        run_engine import --change 'WORKDIR /made/here' --change 'USER tester' "$CUTTLE_TEST_DIR/w.tar" busywd
        same_as_podman run --rm busywd sh -c 'pwd; stat -c "%U:%G %a" /made/here /made'
        is "$output" "/made/here
tester:tester 755
root:root 755"
        run_engine ps -aq
        is "$output" "" "nothing left behind"
}

@test "bad --user and --umask: podman's messages, nothing left behind" {
        run_engine 125 run --rm --user nosuch busy true
        is "$output" "Error: unable to find user nosuch: no matching entries in passwd file"
        run_engine 125 run --rm --user tester:nosuch busy true
        is "$output" "Error: unable to find group nosuch: no matching entries in group file"
        run_engine 125 run --rm --group-add nosuch busy true
        is "$output" "Error: looking up supplemental groups for container [0-9a-f]{64}: Unable to find group nosuch: no matching entries in group file"
        run_engine 125 run --rm --user 1234:nosuch busy true
        is "$output" "Error: unable to find group nosuch: no matching entries in group file"
        if [ -n "$PODMAN_TMP" ]; then
                run -126 _pm run --rm --network none --user tester:nosuch busy true
                is "$output" "Error: unable to find group nosuch: no matching entries in group file"
        fi
        same_as_podman 125 run --rm --umask 999 busy true
        is "$output" "Error: running container create option: invalid umask string 999: invalid argument"
        same_as_podman 125 run --rm --umask 07777 busy true
        run_engine ps -aq
        is "$output" "" "nothing left behind"
}

@test "hostile /etc in the image: a FIFO passwd is an error, not a hang" {
        rootfs_tar "$CUTTLE_TEST_DIR/h.tar"
        mkdir -p "$CUTTLE_TEST_DIR/h/etc"
        mkfifo "$CUTTLE_TEST_DIR/h/etc/passwd"
        tar -C "$CUTTLE_TEST_DIR/h" -rf "$CUTTLE_TEST_DIR/h.tar" ./etc/passwd
        run_engine import "$CUTTLE_TEST_DIR/h.tar" hostile
        run_engine 125 run --rm --user tester hostile true
        is "$output" "Error: reading the container's /etc/passwd: Invalid argument"
}

@test "inspect: the options of this area" {
        run_engine create --name ic --user 1234 --group-add users --umask 077 --tz Europe/Paris \
                --shm-size 1m --chrootdirs /jail busy true
        run_engine inspect --format '{{.Config.User}} {{.Config.Umask}} {{.Config.Passwd}} {{.Config.Timezone}} {{.Config.ChrootDirs}} {{.HostConfig.GroupAdd}} {{.HostConfig.ShmSize}}' ic
        is "$output" "1234 0077 true Europe/Paris \[/jail\] \[users\] 1048576"
        run_engine create --name ic2 --passwd=false busy true
        run_engine inspect --format '{{.Config.Umask}} {{.Config.Passwd}} {{.HostConfig.GroupAdd}} {{.HostConfig.ShmSize}}' ic2
        is "$output" "0022 false \[\] 65536000"
}

@test "exec -u: resolved in the container's passwd (a read-only root's copy too)" {
        run_engine run -d --name ex --read-only --hostuser daemon busy sleep 100
        run_engine exec -u daemon ex id -u
        is "$output" "1" "the generated entry of the read-only copy"
        run_engine exec -u 1234:44 ex id
        is "$output" "uid=1234 gid=44" "as podman: exec lists no primary group"
        run_engine '?' exec -u nosuch ex true
        [ "$status" -ne 0 ] || die "exec -u nosuch succeeded"
        is "$output" "Error: unable to find user nosuch: no matching entries in passwd file"
        run_engine stop -t 0 ex
}
