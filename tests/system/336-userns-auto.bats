#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# --userns auto without size=: the size comes from the image's /etc/passwd and /etc/group
# (the largest id + 1, nobody/nogroup aside, at least 1024, at most 65536), read from the
# image's layers without mounting it — as containers/storage sizes it.

load helpers
load engine

setup() {
        grep -q '^containers:' /etc/subuid || skip "no containers entry in /etc/subuid (tools/deps.sh adds it)"
        engine_setup
        make_image busy
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        engine_teardown
}

# The third field of each line of a uid_map/gid_map.
map_sizes() {
        awk '{print $3}' <<<"$1" | tr '\n' ' '
}

@test "userns auto: the test image (tester 1000, nobody 65534) gets the minimum, 1024" {
        run_engine run --rm --network none --userns auto busy sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
        is "$(map_sizes "$output")" "1024 1024 "
}

@test "userns auto: a committed layer with a larger uid and gid sizes the namespace" {
        run_engine run --network none --name x busy sh -c \
                'echo big:x:5000:5000::/:/bin/sh >> /etc/passwd; echo grp:x:7000: >> /etc/group'
        run_engine commit -q x big
        run_engine run --rm --network none --userns auto big sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u big'
        is "${lines[0]##* }" "7001" "uid_map size: the largest id (a gid) + 1"
        is "${lines[1]##* }" "7001" "gid_map size"
        is "${lines[2]}" "5000" "the image's user resolves inside"
        # size= still wins
        run_engine run --rm --network none --userns auto:size=3000 big sh -c 'cat /proc/self/uid_map'
        is "${output##* }" "3000"
        # a whiteout in a later layer: the file is gone, the image's ids no longer count
        run_engine run --network none --name y big sh -c 'rm /etc/group; sed -i "/^big:/d" /etc/passwd'
        run_engine commit -q y small
        run_engine run --rm --network none --userns auto small sh -c 'cat /proc/self/uid_map'
        is "${output##* }" "1024"
}

@test "userns auto: an image that needs more than 65536 ids is refused, nothing is left" {
        run_engine run --network none --name y busy sh -c 'echo huge:x:70000:70000::/:/bin/sh >> /etc/passwd'
        run_engine commit -q y huge
        run_engine 125 run --rm --network none --name h --userns auto huge true
        is "$output" "Error: the container needs a user namespace with size 70001 that is bigger than the maximum value allowed with userns=auto 65536"
        run_engine ps -a --format '{{.Names}}'
        is "$output" "y"
}
