#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Networking of containers: the default bridge, user networks (names, aliases), published
# ports, --internal, none / host / container: / ns: modes, connect / disconnect, DNS and
# hosts options, teardown (exit, rm, crash) and bad input.
# Traffic goes only to addresses inside namespaces these tests make, and to loopback (and
# the host's own address, which is local).  User networks use 10.233.0.0/16 and bridge
# names c140<test><x> so that they meet neither the host's nor other suites'.

load helpers
load engine

setup() {
        engine_setup
        make_image busy srv/index.html=hello-from-srv
        NETS=()
}

teardown() {
        local n
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        for n in "${NETS[@]}"; do
                "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" network rm -f "$n" >/dev/null 2>&1 || true
        done
        # no namespace of ours is left pinned
        if [ -d "$ENGINE_RUNROOT/netns" ] && [ -n "$(ls -A "$ENGINE_RUNROOT/netns")" ]; then
                die "network namespaces left: $(ls "$ENGINE_RUNROOT/netns")"
        fi
        engine_teardown
}

# mknet NAME SUBNET [ARGS…]: a user network with its own bridge name, removed at teardown.
mknet() {
        local name=$1 subnet=$2
        shift 2
        run_engine network create --subnet "$subnet" --interface-name "c140${BATS_TEST_NUMBER}${name: -1}" "$@" "$name"
        NETS+=("$name")
}

# veths_of ID…: the host-side veths named after these containers.
veths_of() {
        local id
        for id in "$@"; do
                ip -o link show | grep -o "cuttle-${id:0:7}[0-9]" || true
        done
}

# wait_no_veths ID…: the kernel removes a container's veths with its namespace, in its
# cleanup worker; give it a moment.
wait_no_veths() {
        local i
        for i in $(seq 100); do
                [ -z "$(veths_of "$@")" ] && return 0
                sleep 0.05
        done
        die "veths left: $(veths_of "$@")"
}

# wait_http URL TEXT: the host's busybox wget gets TEXT from URL (a server in a container
# needs a moment after run -d returns); sets $output.
wait_http() {
        local i
        for i in $(seq 100); do
                output=$(busybox wget -qO- "$1" 2>&1) && [ "$output" = "$2" ] && return 0
                sleep 0.05
        done
        die "$1 gave '$output', expected '$2'"
}

ctr_ip() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.NetworkSettings.IPAddress}}' "$1"
}

@test "run: the default is the bridge network podman (10.88.0.0/16), as podman" {
        run_engine run --rm busy sh -c 'ip -4 -o addr show eth0; ip route; cat /etc/hosts'
        is "${lines[0]}" ".*eth0 +inet 10\.88\.[0-9]+\.[0-9]+/16 .*"
        assert_line_contains "default via 10.88.0.1 dev eth0"
        assert_line_contains "host.containers.internal"
        run_engine run -d --name web busy sleep 100
        cid=$output
        run_engine inspect --format '{{.HostConfig.NetworkMode}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}' web
        is "$output" "bridge 10.88.0.1 16"
        ip=$(ctr_ip web)
        is "$ip" "10\.88\.[0-9]+\.[0-9]+"
        run_engine inspect --format '{{.NetworkSettings.Networks.podman.IPAddress}} {{.NetworkSettings.MacAddress}} {{.NetworkSettings.SandboxKey}}' web
        is "$output" "$ip 02:42:[0-9a-f:]{11} $ENGINE_RUNROOT/netns/$cid"
        run_engine ps --format '{{.Names}} {{.Networks}}'
        is "$output" "web podman"
        run_engine ps --format json
        is "$(jq -r '.[0].Networks[0]' <<<"$output")" "podman"
        # the container's own name resolves to its address
        run_engine exec web sh -c 'grep -w web /etc/hosts'
        is "$output" "$ip	${cid:0:12} web"
        run_engine rm -f -t 0 web
        wait_no_veths "$cid"
        [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] || die "netns of $cid left"
}

@test "user network: containers reach each other by name and by alias; leases are freed" {
        mknet n1 10.233.1.0/24
        run_engine run -d --name srv --network n1 --network-alias www busy httpd -f -p 8080 -h /srv
        srv=$output
        run_engine run --rm --network n1 --cap-add NET_RAW busy sh -c 'ping -c1 -W3 srv >/dev/null && echo ping-ok; until wget -qO- http://www:8080/index.html; do sleep 0.1; done; wget -qO- http://srv:8080/index.html'
        is "$output" "ping-ok
hello-from-srv
hello-from-srv"
        # the server's hosts file learnt of a newcomer and forgets it again
        run_engine run -d --name cli --network n1 busy sleep 100
        run_engine exec srv grep -c -w cli /etc/hosts
        is "$output" "1"
        run_engine rm -f -t 0 cli
        run_engine 1 exec srv grep -c -w cli /etc/hosts
        is "$output" "0"
        run_engine inspect --format '{{.NetworkSettings.Networks.n1.IPAddress}} {{range .NetworkSettings.Networks.n1.Aliases}}{{.}}{{end}}' srv
        is "$output" "10\.233\.1\.[0-9]+ www"
        run_engine rm -f -t 0 srv
        wait_no_veths "$srv"
        run_engine network rm n1
        is "$output" "n1" "no lease is left: the network goes without -f"
        NETS=()
}

@test "-p: a published port answers on 127.0.0.1 and the host's address; port, ps, inspect" {
        local port=18231 hostip
        # a user network: podman on this host may use (and delete) podman0 meanwhile
        mknet w1 10.233.2.0/24
        run_engine run -d --name pub --network w1 -p 127.0.0.1::8080 -p "$port:8080" busy httpd -f -p 8080 -h /srv
        run_engine port pub
        is "${lines[0]}" "8080/tcp -> 127.0.0.1:[0-9]+"
        is "${lines[1]}" "8080/tcp -> 0.0.0.0:$port"
        run_engine port pub 8080/tcp
        is "${lines[1]}" "0.0.0.0:$port"
        run_engine 125 port pub 9999
        is "$output" 'Error: failed to find published port "9999"'
        run_engine ps --format '{{.Ports}}'
        is "$output" "127.0.0.1:[0-9]+->8080/tcp, 0.0.0.0:$port->8080/tcp"
        run_engine inspect --format '{{(index (index .NetworkSettings.Ports "8080/tcp") 1).HostPort}}' pub
        is "$output" "$port"
        wait_http "http://127.0.0.1:$port/index.html" hello-from-srv
        hostip=$(ip -4 -o addr show scope global | awk '{print $4; exit}')
        hostip=${hostip%/*}
        if [ -n "$hostip" ]; then
                wait_http "http://$hostip:$port/index.html" hello-from-srv
        fi
        # the same host port again: refused before anything is made
        run_engine 125 run --rm --name again -p "$port:80" busy true
        is "$output" "Error: .*$port.*(address already in use|published by container).*"
        run_engine ps -a --format '{{.Names}}'
        is "$output" "pub"
        run_engine rm -f -t 0 pub
        run nft list table inet cuttle
        [[ "$output" != *"dport $port "* ]] || die "the DNAT rule of port $port is left"
}

@test "-P: every exposed port (image EXPOSE, --expose) gets a random host port" {
        rootfs_tar "$CUTTLE_TEST_DIR/e.tar" srv/index.html=exposed
        run_engine import --change "EXPOSE 8080" "$CUTTLE_TEST_DIR/e.tar" exposed
        mknet x1 10.233.11.0/24
        run_engine run -d --name pa --network x1 -P --expose 9090 exposed httpd -f -p 8080 -h /srv
        run_engine port pa
        is "$output" "8080/tcp -> 0.0.0.0:[0-9]+
9090/tcp -> 0.0.0.0:[0-9]+"
        run_engine port pa 8080
        hp=${output##*:}
        wait_http "http://127.0.0.1:$hp/index.html" exposed
}

@test "--internal: no default route and no way to other networks; peers still talk" {
        mknet i1 10.233.3.0/24 --internal
        mknet o2 10.233.4.0/24
        run_engine run -d --name outside --network o2 busy httpd -f -p 8080 -h /srv
        oip=$(ctr_ip outside)
        run_engine run -d --name inside --network i1 busy httpd -f -p 8080 -h /srv
        run_engine run --rm --network i1 busy sh -c "ip route; until wget -qO- http://inside:8080/index.html; do sleep 0.1; done; wget -qO- http://$oip:8080/index.html || echo no-way-out"
        [[ "$output" != *default* ]] || die "an internal network got a default route: $output"
        assert_line_contains "hello-from-srv"
        assert_line_contains "no-way-out"
}

@test "none, host, container:, ns: modes see what podman's do" {
        run_engine run --rm --network none busy sh -c 'ip -o link | wc -l; ip -o link show lo'
        is "${lines[0]}" "1" "none: lo only"
        assert_line_contains "UP"
        run_engine run --rm --network host busy ip -o link
        is "$(wc -l <<<"$output")" "$(ip -o link | wc -l)" "host: the host's interfaces"
        run_engine run -d --name owner busy sleep 100
        owner=$output
        oip=$(ctr_ip owner)
        run_engine run --rm --network container:owner busy sh -c 'ip -4 -o addr show eth0; grep -w owner /etc/hosts'
        is "${lines[0]}" ".*inet $oip/16 .*" "container: the owner's namespace"
        is "${lines[1]}" "$oip	.* owner" "container: the owner's hosts file"
        run_engine create --name joiner --network container:owner busy true
        run_engine inspect --format '{{.HostConfig.NetworkMode}}' joiner
        is "$output" "container:$owner"
        run_engine 125 run --rm --network container:nosuch busy true
        is "$output" "Error: .*nosuch.*"
        # ns:PATH: a namespace pinned in the test dir, with a dummy interface in it
        touch "$CUTTLE_TEST_DIR/ns"
        unshare --net="$CUTTLE_TEST_DIR/ns" ip link add d140 type veth peer name d140p
        run_engine run --rm --network "ns:$CUTTLE_TEST_DIR/ns" busy ip -o link
        umount "$CUTTLE_TEST_DIR/ns"
        assert_line_contains "d140"
}

@test "network connect / disconnect on a running container" {
        mknet a1 10.233.5.0/24
        mknet b2 10.233.6.0/24
        run_engine run -d --name c --network a1 busy sleep 100
        run_engine network connect --alias cc --ip 10.233.6.77 b2 c
        run_engine exec c ip -4 -o addr show eth1
        is "$output" ".*inet 10\.233\.6\.77/24 .*"
        run_engine inspect --format '{{len .NetworkSettings.Networks}} {{.NetworkSettings.Networks.b2.IPAddress}}' c
        is "$output" "2 10.233.6.77"
        run_engine ps --format '{{.Networks}}'
        is "$output" "a1,b2"
        run_engine run --rm --network b2 --cap-add NET_RAW busy ping -c1 -W3 cc
        run_engine 125 network connect b2 c
        is "$output" "Error: container .* is already connected to network \"b2\": network is already connected"
        run_engine network disconnect b2 c
        run_engine 2 exec c ip -o link show eth1
        run_engine 125 network disconnect b2 c
        is "$output" "Error: container .* is not connected to network b2: network not found"
        run_engine 125 network connect nosuch c
        is "$output" "Error: unable to find network with name or ID nosuch: network not found"
        run_engine inspect --format '{{len .NetworkSettings.Networks}}' c
        is "$output" "1"
        run_engine network reload c
        is "$output" "[0-9a-f]{64}"
}

@test "--dns, --dns-search, --dns-option, --add-host, --no-hosts, --dns none" {
        run_engine run --rm --dns 10.1.2.3 --dns-search example.com --dns-option ndots:3 \
                --add-host foo:10.9.9.9 busy sh -c 'cat /etc/resolv.conf; grep foo /etc/hosts'
        assert_line_contains "nameserver 10.1.2.3"
        assert_line_contains "search example.com"
        assert_line_contains "options ndots:3"
        assert_line_contains "10.9.9.9	foo"
        [[ "$output" != *"nameserver 127."* ]] || die "a loopback resolver reached the container"
        rootfs_tar "$CUTTLE_TEST_DIR/h.tar" etc/hosts="10.7.7.7 imagehost"
        run_engine import "$CUTTLE_TEST_DIR/h.tar" withhosts
        run_engine run --rm --no-hosts withhosts cat /etc/hosts
        is "$output" "10.7.7.7 imagehost"
        run_engine run --rm withhosts cat /etc/hosts
        [[ "$output" != *imagehost* ]] || die "podman 4.3: the base is the host's /etc/hosts (base_hosts_file \"\"), not the image's"
        assert_line_contains "host.containers.internal"
        run_engine run --rm --dns none busy sh -c 'test -e /etc/resolv.conf && echo made || echo none'
        is "$output" "none"
        run_engine run --rm --network host busy cat /etc/resolv.conf
        is "$output" "$(cat /etc/resolv.conf)"
}

@test "teardown: after the exit, on rm, after a crash and a kill -9 of the monitor" {
        mknet t1 10.233.7.0/24
        run_engine run -d --name crash --network t1 -p 18232:80 busy sleep 100
        cid=$output
        run_engine inspect --format '{{.State.Pid}}' crash
        kill -9 "$output"
        for i in $(seq 100); do
                [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] && break
                sleep 0.05
        done
        [ ! -e "$ENGINE_RUNROOT/netns/$cid" ] || die "the crashed container's namespace is left"
        wait_no_veths "$cid"
        run nft list table inet cuttle
        [[ "$output" != *"ctr-${cid:0:12}"* ]] || die "the crashed container's nft chain is left"
        # the monitor killed too: nothing runs the exit command; rm cleans up
        run_engine start crash
        run_engine inspect --format '{{.State.Pid}}' crash
        pid=$output
        mon=$(awk '{print $4}' "/proc/$pid/stat")
        kill -9 "$mon" "$pid"
        wait_for_exit "$pid"
        run_engine rm -f -t 0 crash
        wait_no_veths "$cid"
        run nft list table inet cuttle
        [[ "$output" != *"ctr-${cid:0:12}"* ]] || die "the nft chain is left after rm"
        # kill -9 of the engine itself while it sets a container up: rm finds what it made
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run -d --name killed --network t1 busy sleep 100 >/dev/null &
        sleep 0.05
        kill -9 $! 2>/dev/null || true
        wait $! 2>/dev/null || true
        run_engine rm -af -t 0
        [ -z "$(ls -A "$ENGINE_RUNROOT/netns" 2>/dev/null)" ] || die "namespaces left after a killed engine"
        run_engine network rm t1
        is "$output" "t1" "no lease left after a killed engine"
        NETS=()
}

@test "100 containers run and removed on one network leave no lease, interface or namespace" {
        mknet h1 10.233.8.0/24
        local ids=()
        for i in $(seq 100); do
                run_engine run -d --network h1 busy true
                ids+=("$output")
        done
        run_engine rm -af -t 0
        wait_no_veths "${ids[@]}"
        [ -z "$(ls -A "$ENGINE_RUNROOT/netns" 2>/dev/null)" ] || die "namespaces left"
        run_engine network rm h1
        is "$output" "h1" "no lease left"
        NETS=()
}

@test "concurrent runs get distinct addresses" {
        mknet p1 10.233.9.0/24
        local i
        for i in $(seq 12); do
                "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" run -d --name "par$i" --network p1 busy sleep 100 >/dev/null &
        done
        wait
        run_engine ps --format '{{.Names}}'
        is "$(wc -l <<<"$output")" "12"
        run_engine inspect --format '{{.NetworkSettings.IPAddress}}' par1 par2 par3 par4 par5 par6 par7 par8 par9 par10 par11 par12
        is "$(sort -u <<<"$output" | grep -c '^10\.233\.9\.')" "12" "twelve distinct addresses"
}

@test "bad input: unknown network, bad -p, --ip outside the subnet, conflicting options" {
        mknet q1 10.233.10.0/24
        run_engine 125 run --rm --network nope busy true
        is "$output" "Error: unable to find network with name or ID nope: network not found"
        run_engine 125 run --rm -p 80:80:80:80 busy true
        is "$output" "Error: invalid port format: too many colons in 80:80:80:80"
        run_engine 125 run --rm -p 70000:80 busy true
        is "$output" "Error: .*port.*70000.*"
        run_engine 125 run --rm --network q1 --ip 10.233.99.5 busy true
        is "$output" "Error: requested static ip 10.233.99.5 not in any subnet on network q1"
        run_engine 125 run --rm --network none --ip 10.233.10.5 busy true
        is "$output" "Error: invalid config provided: networks and static ip/mac address can only be used with Bridge mode networking"
        run_engine 125 run --rm --network none,host busy true
        is "$output" "Error: .*conflicts.*"
        run_engine 125 run --rm --dns nope busy true
        is "$output" "Error: nope is not an ip address"
        run_engine 125 run --rm --no-hosts --add-host a:1.2.3.4 busy true
        is "$output" "Error: --no-hosts and --add-host cannot be set together"
        run_engine 125 run --rm --add-host a:notanip busy true
        is "$output" 'Error: invalid IP address in add-host: "notanip"'
        run_engine 125 run --rm --mac-address zz busy true
        is "$output" "Error: invalid MAC address zz"
        run_engine ps -aq
        is "$output" "" "nothing half-made"
        # a static address in use
        run_engine run -d --name s1 --network q1 --ip 10.233.10.9 busy sleep 100
        run_engine 125 run --rm --network q1 --ip 10.233.10.9 busy true
        is "$output" "Error: .*requested ip address 10.233.10.9 is already allocated to container ID .*"
}
