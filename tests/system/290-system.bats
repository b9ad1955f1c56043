#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# system df, system prune, system reset.

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

@test "system df: images, containers and volumes with podman's columns" {
        run_engine system df
        is "${lines[0]}" "TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE"
        is "${lines[1]}" "Images +1 +0 +[0-9.]+[kMG]?B +[0-9.]+[kMG]?B \(100%\)"
        is "${lines[2]}" "Containers +0 +0 +0B +0B \(0%\)"
        is "${lines[3]}" "Local Volumes +0 +0 +0B +0B \(0%\)"

        run_engine run -d --name up busy sleep 100
        run_engine run --name done busy sh -c 'head -c 200000 /dev/zero > /big'
        run_engine system df --format '{{.Type}} {{.Total}} {{.Active}} {{.Reclaimable}}'
        is "${lines[0]}" "Images 1 1 0B \(0%\)"
        is "${lines[1]}" "Containers 2 1 200.*kB \(100%\)"
        run_engine system df --format json
        run jq -r '.[1].RawSize' <<<"$output"
        [ "$output" -ge 200000 ]
        run_engine 125 system df extra
        is "$output" "Error: .*takes no arguments"
}

@test "system prune: stopped containers, unused networks and dangling images go; -a takes unused images" {
        run_engine run -d --name keep busy sleep 100
        run_engine create --name gone busy true
        gone=$output
        run_engine network create unused-net
        make_image other
        # without a terminal and without -f it refuses
        run_engine 125 system prune </dev/null
        is "$output" "Error: refusing to remove without --force.*"
        run_engine system prune -f
        is "${lines[0]}" "Deleted Containers"
        is "${lines[1]}" "$gone"
        is "${lines[2]}" "Deleted Networks"
        is "${lines[3]}" "unused-net"
        is "${lines[-1]}" "Total reclaimed space: .*"
        run_engine ps -a --format '{{.Names}}'
        is "$output" "keep"
        run_engine images --format '{{.Repository}}'
        is "$(sort <<<"$output" | tr '\n' ' ')" "localhost/busy localhost/other "
        run_engine system prune -af
        is "$output" ".*Deleted Images.*"
        run_engine images --format '{{.Repository}}'
        is "$output" "localhost/busy" "the image of a running container stays"
}

@test "system reset: nothing is left under the roots, no mount, no namespace" {
        run_engine run -d --name r1 busy sleep 100
        run_engine inspect --format '{{.State.Pid}}' r1
        pid=$output
        run_engine create --name r2 busy true
        run_engine image mount busy
        run_engine system reset -f
        [ ! -e "$ENGINE_ROOT" ] || [ -z "$(ls -A "$ENGINE_ROOT")" ]
        [ ! -e "$ENGINE_RUNROOT" ] || [ -z "$(ls -A "$ENGINE_RUNROOT")" ]
        run grep -c -e " $ENGINE_ROOT" -e " $ENGINE_RUNROOT" /proc/self/mountinfo
        is "$output" "0"
        ! kill -0 "$pid" 2>/dev/null
        # the engine works again on the empty roots
        run_engine images -q
        is "$output" ""
        make_image busy
        run_engine run --rm busy echo again
        is "$output" "again"
}
