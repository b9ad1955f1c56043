#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Secrets: `secret create|ls|inspect|rm|exists` (file driver, data under <root>/secrets/) and
# `--secret` (mounted at /run/secrets/NAME or a target, with uid/gid/mode, or type=env).
# Where podman is installed, the same commands run under podman (its own root in a temporary
# directory) and outputs are compared, ids and times normalised.  Known differences:
#   - `secret exists` is podman 4.5's (4.3 has none);
#   - `secret ls --format json` prints a JSON array here; podman 4.3 prints "json" once per
#     secret (its bug: the word is taken as a template).

bats_require_minimum_version 1.5.0

load helpers
load engine

setup_file() {
        PODMAN_TMP=
        if command -v podman >/dev/null && command -v runc >/dev/null && command -v conmon >/dev/null; then
                PODMAN_TMP=$(mktemp -d /tmp/cuttle-secret-podman.XXXXXX)
                printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\ntmp_dir = "%s/tmp"\n' \
                        "$PODMAN_TMP" >"$PODMAN_TMP/containers.conf"
                mkdir -p "$PODMAN_TMP/tmp"
                rootfs_tar "$PODMAN_TMP/img.tar"
                _pm import "$PODMAN_TMP/img.tar" busy >/dev/null 2>&1 || die "podman import failed"
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
        if [ -n "$PODMAN_TMP" ]; then
                _pm secret rm -a >/dev/null 2>&1 || true
        fi
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        engine_teardown
}

_pm() {
        CONTAINERS_CONF=$PODMAN_TMP/containers.conf podman --root "$PODMAN_TMP/root" \
                --runroot "$PODMAN_TMP/runroot" --storage-driver vfs --runtime runc "$@"
}

# same_as_podman [RC] ARGS…: as in 210-bindmounts.bats (secret ids and times normalised).
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
        local norm='s/[0-9a-f]{64}/ID/g; s/[0-9a-f]{25}/SID/g; s/(Less than a second|[0-9]+ seconds?) ago/AGO/g; s/ +/ /g'
        is "$(sed -E "$norm" <<<"$mine")" "$(sed -E "$norm" <<<"$theirs")" "cuttle and podman: $*"
        output=$mine
}

# secret_create NAME TEXT: the secret in both engines, from stdin.
secret_create() {
        printf '%s' "$2" | "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" secret create "$1" - ||
                die "secret create $1 failed"
        if [ -n "$PODMAN_TMP" ]; then
                printf '%s' "$2" | _pm secret create "$1" - >/dev/null || die "podman secret create $1 failed"
        fi
}

@test "secret create, ls, inspect, exists, rm" {
        printf 'topsecret' >"$CUTTLE_TEST_DIR/s.txt"
        same_as_podman secret create mysec "$CUTTLE_TEST_DIR/s.txt"
        is "$output" "[0-9a-f]{25}"
        local id=$output
        run bash -c "printf fromstdin | '$CUTTLE' --root '$ENGINE_ROOT' --runroot '$ENGINE_RUNROOT' secret create --label a=b s2 -"
        is "$status" 0
        same_as_podman 125 secret create mysec "$CUTTLE_TEST_DIR/s.txt"
        is "$output" "Error: mysec: secret name in use"
        run_engine secret ls
        is "${lines[0]}" "ID +NAME +DRIVER +CREATED +UPDATED"
        is "${lines[1]}" "$id +mysec +file +.* ago +.* ago"
        is "${#lines[@]}" 3
        run_engine secret ls --format '{{.Name}} {{.Driver}}'
        is "$output" "mysec file
s2 file"
        run_engine secret ls -q --filter 'name=^s'
        is "$output" "[0-9a-f]{25}"
        run_engine secret ls --noheading --filter "id=${id:0:6}"
        is "$output" "$id +mysec +file .*"
        run_engine 125 secret ls --filter foo=bar
        is "$output" "Error: invalid filter \"foo\""
        run_engine secret inspect mysec
        run jq -r '.[0].ID, .[0].Spec.Name, .[0].Spec.Driver.Name, .[0].Spec.Driver.Options.path, (.[0].Spec.Labels|length)' <<<"$output"
        is "$output" "$id
mysec
file
$ENGINE_ROOT/secrets/filedriver
0"
        run_engine secret inspect --format '{{.Spec.Name}} {{.Spec.Labels}}' s2
        is "$output" "s2 map\[a:b\]"
        run_engine secret inspect --pretty mysec
        is "${lines[0]}" "ID: +$id"
        is "${lines[1]}" "Name: +mysec"
        is "${lines[3]}" "Created at: +[0-9-]+ [0-9:.]+ \+0000 UTC"
        run_engine secret exists mysec
        run_engine 1 secret exists nosuch
        is "$output" ""
        run_engine 125 secret inspect mysec nosuch
        is "${lines[-1]}" "Error: inspecting secret: no secret with name or id \"nosuch\": no such secret"
        run_engine secret rm mysec
        is "$output" "$id"
        [ ! -e "$ENGINE_ROOT/secrets/filedriver/$id" ] || die "the data of a removed secret is still there"
        if [ -n "$PODMAN_TMP" ]; then
                _pm secret rm mysec >/dev/null
        fi
        same_as_podman 125 secret rm mysec
        is "$output" "Error: no secret with name or id \"mysec\": no such secret"
        run_engine secret rm -a
        run_engine secret ls -q
        is "$output" ""
}

@test "secret create: bad names, sizes, sources, drivers as podman" {
        printf 'x' >"$CUTTLE_TEST_DIR/s.txt"
        : >"$CUTTLE_TEST_DIR/empty"
        head -c 512000 /dev/zero >"$CUTTLE_TEST_DIR/big"
        same_as_podman 125 secret create 'a/b' "$CUTTLE_TEST_DIR/s.txt"
        is "$output" "Error: only 64 \[a-zA-Z0-9-_.\] characters allowed, and the start and end character must be \[a-zA-Z0-9\]: a/b: invalid secret name"
        same_as_podman 125 secret create e "$CUTTLE_TEST_DIR/empty"
        is "$output" "Error: secret data must be larger than 0 and less than 512000 bytes"
        same_as_podman 125 secret create e "$CUTTLE_TEST_DIR/big"
        same_as_podman 125 secret create e "$CUTTLE_TEST_DIR/nosuchfile"
        is "$output" "Error: open $CUTTLE_TEST_DIR/nosuchfile: no such file or directory"
        same_as_podman 125 secret create x
        is "$output" "Error: accepts 2 arg(s), received 1"
        same_as_podman 125 secret create --driver foo x "$CUTTLE_TEST_DIR/s.txt"
        is "$output" "Error: invalid driver"
        run_engine 125 secret rm
        is "$output" "Error: \`cuttle secret rm\` requires one argument, or the --all flag"
        SECRET_VALUE=fromenv run_engine secret create --env envsec SECRET_VALUE
        run_engine 125 secret create --env envsec2 NO_SUCH_VARIABLE_HERE
        is "$output" "Error: cannot create store secret data: environment variable NO_SUCH_VARIABLE_HERE is not set"
        run_engine secret ls --format '{{.Name}}'
        is "$output" "envsec"
}

@test "run --secret: mounted, targets, owner and mode, env; as podman" {
        secret_create mysec topsecret
        same_as_podman run --rm --secret mysec busy sh -c 'stat -c "%A %u %g %s %n" /run/secrets/mysec; ls /run/secrets; cat /run/secrets/mysec'
        is "$output" "-r--r--r-- 0 0 9 /run/secrets/mysec
mysec
topsecret"
        same_as_podman run --rm --secret mysec,type=env busy sh -c 'echo $mysec'
        is "$output" "topsecret"
        same_as_podman run --rm --secret mysec,type=env,target=FOO busy sh -c 'echo "$FOO-$mysec"'
        is "$output" "topsecret-"
        same_as_podman run --rm --secret mysec,target=/etc/foo,uid=1000,gid=10,mode=0400 busy \
                sh -c 'stat -c "%u %g %a" /etc/foo; cat /etc/foo'
        is "$output" "1000 10 400
topsecret"
        same_as_podman run --rm --secret mysec,target=bar busy cat /run/secrets/bar
        is "$output" "topsecret"
        # podman 4.3 fails here (runc cannot make the mount point in the read-only
        # /run/secrets); cuttle makes it in /run/secrets' source beforehand
        run_engine run --rm --read-only --secret mysec busy grep ' /run/secrets/mysec ' /proc/self/mounts
        is "$output" ".* ro,nosuid,nodev,noexec,.*"
        # the container keeps its copy when the secret goes; an env secret is read at start
        run_engine create --name keep --secret mysec busy cat /run/secrets/mysec
        run_engine create --name envc --secret mysec,type=env busy sh -c 'echo $mysec'
        run_engine secret rm mysec
        run_engine start -a keep
        is "$output" "topsecret"
        run_engine 125 start envc
        is "$output" "Error: no secret with name or id \"mysec\": no such secret"
}

@test "run --secret: bad input as podman, nothing left behind" {
        secret_create mysec topsecret
        same_as_podman 125 run --rm --secret nosuch busy true
        is "$output" "Error: no secret with name or id \"nosuch\": no such secret"
        same_as_podman 125 run --rm --secret mysec,type=bad busy true
        is "$output" "Error: type bad is invalid: parsing secret"
        same_as_podman 125 run --rm --secret mysec,uid=1,type=env busy true
        is "$output" "Error: UID, GID, Mode options cannot be set with secret type env: parsing secret"
        same_as_podman 125 run --rm --secret mysec,foo=1 busy true
        is "$output" "Error: option foo=1 invalid: parsing secret"
        same_as_podman 125 run --rm --secret mysec,mode=abc busy true
        is "$output" "Error: mode abc invalid: parsing secret"
        run_engine ps -aq
        is "$output" ""
}

@test "inspect: Config.Secrets lists the mounted secrets" {
        secret_create mysec topsecret
        run_engine create --name ic --secret mysec,uid=7,mode=0400 --secret mysec,type=env,target=E busy true
        run_engine inspect --format '{{range .Config.Secrets}}{{.Name}} {{.UID}} {{.GID}} {{.Mode}}{{end}}' ic
        is "$output" "mysec 7 0 256"
}
