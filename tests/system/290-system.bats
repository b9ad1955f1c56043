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

# The firewall table `inet cuttle` is shared by every root on the host (other suites may run
# meanwhile): after a reset it may stay, but it holds no chain of the reset containers
# ("ctr-" + 12 ID characters), none of the reset user network's bridge (nat-/fwd-/in-BRIDGE)
# and no DNAT rule of their published ports.  The default bridge podman0 is shared too: only
# our veths (cuttle-<7 ID characters><n>) and namespaces are checked for it.
@test "system reset: no veth, netns, nft rule, mount or file of ours is left (default bridge and a user network, published ports)" {
        local p1=18291 p2=18292 ids id
        run_engine network create --subnet 10.233.29.0/24 --interface-name c290r rnet
        run_engine run -d --name d1 -p "$p1:8080" busy httpd -f -p 8080 -h /
        ids=$output
        run_engine run -d --name u1 --network rnet -p "127.0.0.1:$p2:8080" busy httpd -f -p 8080 -h /
        ids="$ids $output"
        run_engine volume create rvol
        run_engine run -d --name v1 -v rvol:/data --network none busy sleep 100
        ids="$ids $output"
        # what is there before, so that the checks below can fail
        [ "$(ls -A "$ENGINE_RUNROOT/netns" | wc -l)" -ge 3 ] || die "no netns before the reset"
        ip -o link show | grep -q "cuttle-${ids:0:7}" || die "no veth of d1 before the reset"
        ip -o link show | grep -q "cuttle-$(cut -d' ' -f2 <<<"$ids" | cut -c1-7)" || die "no veth of u1 before the reset"
        nft list table inet cuttle | grep -q "ctr-${ids:0:12}" || die "no chain of d1 before the reset"
        nft list table inet cuttle | grep -q "dport $p2 " || die "no DNAT rule of u1 before the reset"

        run_engine system reset -f
        for id in $ids; do
                run ip -o link show
                [[ "$output" != *"cuttle-${id:0:7}"* ]] || die "veth of $id left"
                run nft list table inet cuttle
                [[ "$output" != *"ctr-${id:0:12}"* ]] || die "nft chain of $id left"
        done
        run ip -o link show c290r
        [ "$status" -ne 0 ] || die "the user network's bridge is left"
        run nft list table inet cuttle
        [[ "$output" != *"-c290r"* ]] || die "the chains of the user network's bridge are left"
        [[ "$output" != *"dport $p1 "* && "$output" != *"dport $p2 "* ]] || die "a DNAT rule is left: $output"
        [ ! -e "$ENGINE_RUNROOT/netns" ] || [ -z "$(ls -A "$ENGINE_RUNROOT/netns")" ] || die "netns left"
        run grep -c -e " $ENGINE_ROOT" -e " $ENGINE_RUNROOT" /proc/self/mountinfo
        is "$output" "0" "no mount under the roots"
        [ ! -e "$ENGINE_ROOT" ] || [ -z "$(ls -A "$ENGINE_ROOT")" ] || die "files left: $(find "$ENGINE_ROOT" | head)"
        [ ! -e "$ENGINE_RUNROOT" ] || [ -z "$(ls -A "$ENGINE_RUNROOT")" ] || die "files left: $(find "$ENGINE_RUNROOT" | head)"
        run_engine network ls --format '{{.Name}}'
        is "$output" "podman"
        run_engine volume ls -q
        is "$output" ""
        # --tmpdir and --volumepath apart from the roots: emptied too, as podman's reset does
        local t=$CUTTLE_TEST_DIR/rtmp v=$CUTTLE_TEST_DIR/rvols
        make_image busy
        run_engine --tmpdir "$t" --volumepath "$v" volume create apart
        run_engine --tmpdir "$t" --volumepath "$v" run --rm -v apart:/d busy touch /d/f
        [ -e "$v/apart/_data/f" ] && [ -s "$t/events/events.log" ] || die "nothing made apart"
        run_engine --tmpdir "$t" --volumepath "$v" system reset -f
        [ ! -e "$t" ] && [ ! -e "$v" ] || die "left apart: $(find "$t" "$v" 2>/dev/null | head)"
}
