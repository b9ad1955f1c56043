#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# top (psgo's descriptors, podman's headers and errors) and stats (cgroup readings, podman's
# table, templates and JSON, streaming).

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

@test "top: the default descriptors and podman's headers" {
        run_engine run -d --name t busy sleep 100
        run_engine top t
        is "${lines[0]}" "USER +PID +PPID +%CPU +ELAPSED +TTY +TIME +COMMAND"
        is "${lines[1]}" "(0|root) +1 +0 +[0-9]+\.[0-9]{3} +[0-9.]+(m|µ|n)?s +\? +0s +sleep 100 ?"
        is "${#lines[@]}" 2 "one process"
        # a second process, a child of the first: pid and ppid as the container sees them
        run_engine exec -d t sleep 50
        run_engine top t pid ppid comm
        is "${lines[0]}" "PID +PPID +COMMAND"
        is "${lines[1]}" "1 +0 +sleep"
        is "${lines[2]}" "[0-9]+ +0 +sleep"
}

@test "top: descriptors, AIX codes, comma lists, host fields" {
        run_engine run -d --name t busy sleep 100
        pid=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.State.Pid}}' t)
        run_engine top t hpid huser user group nice vsz state
        is "${lines[0]}" "HPID +HUSER +USER +GROUP +NI +VSZ +STATE"
        is "${lines[1]}" "$pid +root +(0|root) +(0|root) +0 +[0-9]+ +S"
        run_engine top t %p,%U %C
        is "${lines[0]}" "PID +USER +%CPU"
        run_engine top t capbnd seccomp label stime etime time
        is "${lines[0]}" "BOUNDING CAPS +SECCOMP +LABEL +STIME +ELAPSED +TIME"
        is "${lines[1]}" "[A-Z_,]+ +(disabled|filter|strict) +.+ +[0-9-]+ [0-9:]+ \+0000 UTC +.+s +0s"
        run_engine top t args
        is "${lines[1]}" "sleep 100 ?"
}

@test "top: errors as podman" {
        run_engine create --name c busy sleep 100
        run_engine 125 top c
        is "$output" "Error: top can only be used on running containers"
        run_engine 125 top nosuch
        is "$output" 'Error: unable to look up requested container: no container with name or ID "nosuch" found: no such container'
        run_engine 125 top
        is "$output" "Error: you must provide the name or id of a running container"
        # an unknown descriptor: podman runs ps(1) in the container with the arguments
        run_engine start c
        run_engine top c -o pid,comm
        is "${lines[0]}" " *PID +COMMAND"
}

@test "stats --no-stream: podman's table, running containers only by default" {
        run_engine run -d --name s1 busy sleep 100
        cid=$output
        run_engine create --name s2 busy true
        run_engine stats --no-stream
        is "${lines[0]}" "ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET IO +BLOCK IO +PIDS +CPU TIME +AVG CPU %"
        is "${lines[1]}" "${cid:0:12} +s1 +[0-9.]+% +[0-9.]+[kMG]?B / [0-9.]+[kMGT]?B +[0-9.]+% +[0-9.]+[kM]?B / [0-9.]+[kM]?B +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +1 +[0-9.]+(m|µ|n)?s +[0-9.]+%"
        is "${#lines[@]}" 2 "only the running container"
        run_engine stats --no-stream -a --format '{{.Name}} {{.MemUsage}} {{.PIDS}} {{.CPUPerc}}'
        is "${lines[1]}" "s2 0B / 0B 0 0.00%"
        run_engine stats --no-stream --no-trunc --format '{{.ID}}' s1
        is "$output" "$cid"
}

@test "stats: the memory limit, templates and JSON" {
        run_engine run -d --name m --memory 64m busy sleep 100
        run_engine stats --no-stream --format '{{.MemUsage}}|{{.MemUsageBytes}}|{{.PIDS}}' m
        is "$output" "[0-9.]+[kM]?B / 67.11MB\|[0-9.]+(Ki|Mi)?B / 64MiB\|1"
        run_engine stats --no-stream --format 'table {{.Name}} {{.PIDS}}' m
        is "${lines[0]}" "NAME +PIDS"
        is "${lines[1]}" "m +1"
        run_engine stats --no-stream --format json m
        is "${lines[0]}" "\["
        is "${lines[1]}" " \{"
        is "${lines[2]}" '  "id": "[0-9a-f]{12}",'
        is "${lines[3]}" '  "name": "m",'
        is "${lines[4]}" '  "cpu_time": ".*",'
        is "${lines[5]}" '  "cpu_percent": "[0-9.]+%",'
        is "${lines[6]}" '  "avg_cpu": "[0-9.]+%",'
        is "${lines[7]}" '  "mem_usage": ".* / 67.11MB",'
        is "${lines[8]}" '  "mem_percent": "[0-9.]+%",'
        is "${lines[9]}" '  "net_io": ".*",'
        is "${lines[10]}" '  "block_io": ".*",'
        is "${lines[11]}" '  "pids": "1"'
        # CPU time grows with work
        run_engine exec m sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done'
        run_engine stats --no-stream --format '{{.CPU}} {{.CPUNano}}' m
        is "$output" "[0-9.e+-]+ [0-9]{7,}"
}

@test "stats: errors; streaming redraws every interval" {
        run_engine 125 stats --no-stream nosuch
        is "$output" 'Error: unable to get list of containers: unable to look up container nosuch: no container with name or ID "nosuch" found: no such container'
        run_engine 125 stats --no-stream -a s1
        is "$output" "Error: --all, --latest and containers cannot be used together"
        run_engine run -d --name st busy sleep 100
        run timeout 2.5 "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" stats --interval 1 --format '{{.Name}}'
        is "$status" 124 "stats streams until interrupted"
        n=$(grep -c 'st' <<<"$output")
        [ "$n" -ge 2 ] || die "expected at least 2 samples, got: $output"
        [[ $output == *$'\033[2J'* ]] || die "no screen reset in: $output"
        run timeout 1.5 "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" stats --no-reset --interval 1 --format '{{.Name}}'
        [[ $output != *$'\033['* ]] || die "--no-reset still resets"
}
