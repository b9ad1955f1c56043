#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --network slirp4netns[:OPTIONS] and --network pasta[:OPTIONS]: the container's view
# (addresses, routes, resolv.conf, hosts), the way to the host's loopback (only with
# allow_host_loopback=true), published ports through the helper, inspect / ps / port, the
# helper's end (exit, rm, a crashed container, kill -9 of the monitor) and bad options.
# Traffic goes only to loopback (through the helpers) and inside the containers.

load helpers
load engine

setup() {
        engine_setup
        command -v slirp4netns >/dev/null || die "slirp4netns is not installed (tools/deps.sh)"
        command -v pasta >/dev/null || die "pasta is not installed (the passt package, tools/deps.sh)"
        make_image busy srv/index.html=hello-from-ctr
        HOST_HTTPD=
}

teardown() {
        [ -n "$HOST_HTTPD" ] && kill "$HOST_HTTPD" 2>/dev/null
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        local left
        left=$(helpers_of "$ENGINE_RUNROOT")
        [ -z "$left" ] || die "helper processes left: $left"
        if [ -d "$ENGINE_RUNROOT/netns" ] && [ -n "$(ls -A "$ENGINE_RUNROOT/netns")" ]; then
                die "network namespaces left: $(ls "$ENGINE_RUNROOT/netns")"
        fi
        engine_teardown
}

# helpers_of TEXT: the slirp4netns / pasta processes whose command line names TEXT (a
# container ID, or our runroot).
helpers_of() {
        pgrep -a -f "^(slirp4netns|pasta) .*$1" || true
}

# wait_no_helper ID: the helper leaves (slirp4netns reads EOF on its exit pipe).
wait_no_helper() {
        local i
        for i in $(seq 100); do
                [ -z "$(helpers_of "$1")" ] && return 0
                sleep 0.05
        done
        die "helper of $1 left: $(helpers_of "$1")"
}

# wait_http URL TEXT: the host's busybox wget gets TEXT from URL; sets $output.
wait_http() {
        local i
        for i in $(seq 100); do
                output=$(busybox wget -qO- "$1" 2>&1) && [ "$output" = "$2" ] && return 0
                sleep 0.05
        done
        die "$1 gave '$output', expected '$2'"
}

# A free TCP port on the host's loopback.
free_port() {
        local p
        for p in $(shuf -i 20000-29999 -n 50); do
                if ! ss -Htln "sport = :$p" | grep -q .; then
                        echo "$p"
                        return
                fi
        done
        die "no free port"
}

@test "slirp4netns: tap0 10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3 first, as podman" {
        run_engine run --rm --name s1 --hostname sh1 --network slirp4netns busy sh -c \
                'ip -4 -o addr show tap0; ip link show tap0; ip route; cat /etc/resolv.conf; cat /etc/hosts'
        is "${lines[0]}" ".*tap0 +inet 10\.0\.2\.100/24 .*"
        assert_line_contains "mtu 65520"
        assert_line_contains "default via 10.0.2.2 dev tap0"
        assert_line_contains "10.0.2.0/24 dev tap0 scope link  src 10.0.2.100"
        local ns
        ns=$(grep -n '^nameserver' <<<"$output" | head -1)
        is "$ns" "[0-9]+:nameserver 10.0.2.3" "slirp4netns's DNS forwarder comes first"
        assert_line_contains "10.0.2.100	sh1 s1"
        assert_line_contains "host.containers.internal"
        # options: another CIDR moves every address; IPv6 off leaves no global v6 address
        run_engine run --rm --network slirp4netns:cidr=10.0.7.0/24,enable_ipv6=false,mtu=1500 busy sh -c \
                'ip -4 -o addr show tap0; ip link show tap0; ip route; grep nameserver /etc/resolv.conf | head -1'
        is "${lines[0]}" ".*tap0 +inet 10\.0\.7\.100/24 .*"
        assert_line_contains "mtu 1500"
        assert_line_contains "default via 10.0.7.2 dev tap0"
        assert_line_contains "nameserver 10.0.7.3"
        # a --dns of the user's replaces the forwarder
        run_engine run --rm --network slirp4netns --dns 10.0.2.9 busy grep nameserver /etc/resolv.conf
        is "$output" "nameserver 10.0.2.9"
        # containers.conf's netns chooses the mode when --network is not given
        printf '[containers]\nnetns = "slirp4netns"\n' >"$CUTTLE_TEST_DIR/c.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/c.conf run_engine run --rm busy ip -4 -o addr show tap0
        is "$output" ".*tap0 +inet 10\.0\.2\.100/24 .*"
}

@test "slirp4netns: the host's loopback answers at 10.0.2.2 only with allow_host_loopback=true" {
        local port www=$CUTTLE_TEST_DIR/www
        mkdir -p "$www"
        echo hello-from-host >"$www/index.html"
        port=$(free_port)
        busybox httpd -f -p "127.0.0.1:$port" -h "$www" &
        HOST_HTTPD=$!
        wait_http "http://127.0.0.1:$port/" hello-from-host
        # (busybox 1.35's wget -T crashes: timeout(1) bounds it instead)
        run_engine run --rm --network slirp4netns:allow_host_loopback=true busy \
                timeout 5 wget -qO- "http://10.0.2.2:$port/"
        is "$output" "hello-from-host"
        run_engine 1 run --rm --network slirp4netns busy timeout 5 wget -qO- "http://10.0.2.2:$port/"
        [[ "$output" != *hello-from-host* ]] || die "the host's loopback answered without allow_host_loopback"
        assert_line_contains "can't connect to remote host (10.0.2.2)"
        run_engine 1 run --rm --network slirp4netns:allow_host_loopback=false busy timeout 5 wget -qO- "http://10.0.2.2:$port/"
        assert_line_contains "can't connect to remote host (10.0.2.2)"
}

@test "slirp4netns: -p 127.0.0.1:HOST:CTR answers on the host; port, inspect and ps show it" {
        local port
        port=$(free_port)
        run_engine run -d --name web --network slirp4netns -p "127.0.0.1:$port:8080" busy httpd -f -p 8080 -h /srv
        cid=$output
        wait_http "http://127.0.0.1:$port/index.html" hello-from-ctr
        run_engine port web
        is "$output" "8080/tcp -> 127.0.0.1:$port"
        run_engine ps --format '{{.Names}}|{{.Ports}}|{{.Networks}}'
        is "$output" "web|127.0.0.1:$port->8080/tcp|"
        run_engine inspect --format '{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Ports}} {{.NetworkSettings.SandboxKey}} {{.NetworkSettings.IPAddress}}|' web
        is "$output" "slirp4netns {\"8080/tcp\":\[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}\]} $ENGINE_RUNROOT/netns/$cid |"
        [ -n "$(helpers_of "$cid")" ] || die "no slirp4netns process for $cid"
        # a random host port is chosen at start and shown
        run_engine run -d --name web2 --network slirp4netns -p 127.0.0.1::8080 busy httpd -f -p 8080 -h /srv
        run_engine port web2 8080/tcp
        is "$output" "127\.0\.0\.1:[0-9]+"
        wait_http "http://$output/index.html" hello-from-ctr
        run_engine rm -f -t 0 web web2
        wait_no_helper "$cid"
        [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] || die "netns of $cid left"
        [ -z "$(ls -A "$ENGINE_RUNROOT/nethelper" 2>/dev/null)" ] || die "helper files left: $(ls "$ENGINE_RUNROOT/nethelper")"
        # the port is free again
        ! ss -Htln "sport = :$port" | grep -q . || die "port $port still bound"
        # the configured port shows while not running
        run_engine create --name c1 --network slirp4netns -p "127.0.0.1:$port:80" busy true
        run_engine inspect --format '{{.HostConfig.NetworkMode}} {{json .HostConfig.PortBindings}}' c1
        is "$output" "slirp4netns {\"80/tcp\":\[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}\]}"
}

@test "slirp4netns: nothing is left after the exit, rm, a crash and a kill -9 of the monitor" {
        # the container exits by itself: its cleanup ends slirp4netns
        run_engine run -d --name ex --network slirp4netns busy true
        cid=$output
        run_engine wait ex
        wait_no_helper "$cid"
        run_engine rm ex
        # the container's process killed: the same
        run_engine run -d --name crash --network slirp4netns busy sleep 100
        cid=$output
        [ -n "$(helpers_of "$cid")" ] || die "no slirp4netns process for $cid"
        run_engine inspect --format '{{.State.Pid}}' crash
        kill -9 "$output"
        wait_no_helper "$cid"
        for i in $(seq 100); do
                [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] && break
                sleep 0.05
        done
        [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] || die "the crashed container's namespace is left"
        # kill -9 of the monitor: slirp4netns reads EOF on its exit pipe and leaves at once
        run_engine start crash
        [ -n "$(helpers_of "$cid")" ] || die "no slirp4netns process after start"
        run_engine inspect --format '{{.State.Pid}}' crash
        pid=$output
        mon=$(awk '{print $4}' "/proc/$pid/stat")
        kill -9 "$mon"
        wait_no_helper "$cid"
        run_engine rm -f -t 0 crash
        wait_for_exit "$pid"
        [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] || die "netns of $cid left after rm"
        [ -z "$(ls -A "$ENGINE_RUNROOT/nethelper" 2>/dev/null)" ] || die "helper files left"
        # both killed; then rm -f
        run_engine run -d --name both --network slirp4netns -p 127.0.0.1::80 busy sleep 100
        cid=$output
        run_engine inspect --format '{{.State.Pid}}' both
        pid=$output
        mon=$(awk '{print $4}' "/proc/$pid/stat")
        kill -9 "$mon" "$pid"
        wait_for_exit "$pid"
        run_engine rm -f -t 0 both
        wait_no_helper "$cid"
        [ -z "$(ls -A "$ENGINE_RUNROOT/netns" 2>/dev/null)" ] || die "namespaces left"
}

@test "slirp4netns: bad options and flags get podman's errors, exit 125, nothing made" {
        local -a cases=(
                "foo|unknown option for slirp4netns: \"foo\""
                "foo=bar|unknown option for slirp4netns: \"foo=bar\""
                "cidr=1.2.3.4|invalid cidr \"1.2.3.4\""
                "mtu=10|invalid mtu \"10\""
                "allow_host_loopback=maybe|invalid value of allow_host_loopback for slirp4netns: \"maybe\""
                "port_handler=x|unknown port_handler for slirp4netns: \"x\""
                "enable_ipv6=x|invalid value of enable_ipv6 for slirp4netns: \"x\""
                "outbound_addr=zz|invalid outbound_addr \"zz\""
        )
        local c
        for c in "${cases[@]}"; do
                run_engine 125 run --rm --network "slirp4netns:${c%%|*}" busy true
                is "$output" "Error: ${c#*|}"
        done
        run_engine 125 run --rm --network slirp4netns --ip 10.0.2.5 busy true
        is "$output" "Error: --ip can only be set when the network mode is bridge: invalid argument"
        run_engine 125 run --rm --network slirp4netns --mac-address 92:d0:c6:0a:29:33 busy true
        is "$output" "Error: --mac-address can only be set when the network mode is bridge: invalid argument"
        run_engine 125 run --rm --network slirp4netns --network-alias x busy true
        is "$output" "Error: --network-alias can only be set when the network mode is bridge: invalid argument"
        run_engine 125 run --rm --network slirp4netns --network podman busy true
        is "$output" "Error: cannot set multiple networks without bridge network mode, selected mode slirp4netns: invalid argument"
        run_engine 125 run --rm --network slirp4netns:port_handler=rootlesskit -p 127.0.0.1:18999:80 busy true
        assert_line_contains "port_handler=rootlesskit is not supported by cuttle"
        run_engine ps -a -q
        is "$output" "" "no container was made"
        [ -z "$(helpers_of "$ENGINE_RUNROOT")" ] || die "a helper was started"
}

@test "pasta: the host's addresses and routes are copied; a published port answers; rm ends pasta" {
        local dev addr gw port
        dev=$(ip route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1); exit}')
        [ -n "$dev" ] || skip "the host has no default route: pasta refuses (tested below)"
        addr=$(ip -4 -o addr show dev "$dev" | awk '{print $4; exit}')
        gw=$(ip route show default | awk '{print $3; exit}')
        run_engine run --rm --network pasta busy sh -c "ip -4 -o addr show $dev; ip route"
        is "${lines[0]}" ".*$dev +inet ${addr//./\\.} .*" "the address of the host's $dev"
        assert_line_contains "default via $gw dev $dev"
        port=$(free_port)
        run_engine run -d --name pw --network pasta -p "127.0.0.1:$port:8080" busy httpd -f -p 8080 -h /srv
        cid=$output
        wait_http "http://127.0.0.1:$port/index.html" hello-from-ctr
        run_engine port pw
        is "$output" "8080/tcp -> 127.0.0.1:$port"
        run_engine inspect --format '{{.HostConfig.NetworkMode}} {{.NetworkSettings.SandboxKey}}' pw
        is "$output" "pasta $ENGINE_RUNROOT/netns/$cid"
        [ -n "$(helpers_of "$cid")" ] || die "no pasta process for $cid"
        run_engine rm -f -t 0 pw
        wait_no_helper "$cid"
        [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] || die "netns of $cid left"
        # kill -9 of the container: its cleanup ends pasta
        run_engine run -d --name pk --network pasta busy sleep 100
        cid=$output
        run_engine inspect --format '{{.State.Pid}}' pk
        kill -9 "$output"
        wait_no_helper "$cid"
}

@test "pasta: its errors are shown (a bad option; a host without a default route), nothing left" {
        run_engine 125 run --rm --network pasta:--bogus busy true
        is "${lines[0]}" "Error: setting up the network of container [0-9a-f]{12}: pasta failed with exit code 1:"
        assert_line_contains "unrecognized option '--bogus'"
        run_engine 125 run --rm --network pasta:-i,nosuch0 busy true
        assert_line_contains "nosuch0"
        # a namespace of this test's without any interface stands in for a host without a
        # default route: pasta refuses, and says why
        run unshare --net "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run --rm --network pasta busy true
        echo "$output"
        [ "$status" -eq 125 ] || die "exit $status, expected 125"
        [[ "$output" == *"pasta failed with exit code 1:"* ]] || die "no pasta error: $output"
        [[ "$output" == *"External interface not usable"* ]] || die "no reason: $output"
        run_engine 125 run --rm --network pasta --ip 10.0.2.5 busy true
        is "$output" "Error: --ip can only be set when the network mode is bridge: invalid argument"
        run_engine ps -a -q
        is "$output" ""
}
