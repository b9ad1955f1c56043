#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# containers.conf's [network] keys and --network-config-dir: the default network follows
# default_network / default_subnet (built on every call, never stored, as podman 4's), and
# network definitions live in podman's <dir>/<name>.json files when a network config
# directory is given (flag or key), readable by podman 4.3 and the other way round.
# Subnets come from 10.234.150.0/20 and bridges are named c155*, so that they meet neither
# the host's nor other suites'.  The default bridge podman0 is shared with other suites
# (and other engines): every gateway address a test adds to it is removed again at
# teardown, with the masquerade rule that went with it.

load helpers
load engine

setup() {
        engine_setup
        make_image busy srv/index.html=hello-from-srv
        ROOTS=("$ENGINE_ROOT $ENGINE_RUNROOT")
        NETDIRS=()
        PODMAN0_SUBNETS=()
        unset CONTAINERS_CONF CONTAINERS_CONF_OVERRIDE
}

teardown() {
        local r n dir s h
        for r in "${ROOTS[@]}"; do
                # shellcheck disable=SC2086 # "root runroot"
                "$CUTTLE" $(printf -- '--root %s --runroot %s' $r) rm -af -t 0 >/dev/null 2>&1 || true
        done
        for dir in "${NETDIRS[@]}"; do
                for n in "$dir"/*.json; do
                        [ -e "$n" ] || continue
                        n=$(basename "$n" .json)
                        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" --network-config-dir "$dir" \
                                network rm -f "$n" >/dev/null 2>&1 || true
                done
        done
        for s in "${PODMAN0_SUBNETS[@]}"; do
                ip addr del "${s%.0/*}.1/${s#*/}" dev podman0 2>/dev/null || true
                for h in $(nft -a list chain inet cuttle nat-podman0 2>/dev/null |
                        awk -v s="$s" '$0 ~ "saddr " s " " { print $NF }'); do
                        nft delete rule inet cuttle nat-podman0 handle "$h" 2>/dev/null || true
                done
        done
        for r in "${ROOTS[@]}"; do
                r=${r#* }
                if [ -d "$r/netns" ] && [ -n "$(ls -A "$r/netns")" ]; then
                        die "network namespaces left: $(ls "$r/netns")"
                fi
        done
        engine_teardown
}

# conf NAME LINES…: a containers.conf with a [network] table holding LINES; prints its path.
conf() {
        local f=$CUTTLE_TEST_DIR/$1.conf
        shift
        printf '[network]\n' >"$f"
        printf '%s\n' "$@" >>"$f"
        echo "$f"
}

# on_podman0 SUBNET: the test may add SUBNET's gateway to podman0; teardown removes it.
on_podman0() {
        ip -4 -o addr show dev podman0 2>/dev/null | grep -q " ${1%.0/*}\.1/" &&
                die "podman0 already carries a gateway of $1: another run of this suite?"
        PODMAN0_SUBNETS+=("$1")
}

ctr_ip() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.NetworkSettings.IPAddress}}' "$1"
}

veths_gone() {
        local i id=$1
        for i in $(seq 100); do
                ip -o link show | grep -q "cuttle-${id:0:7}" || return 0
                sleep 0.05
        done
        die "veths of $id left"
}

@test "default_subnet: the default network is built from it; run gets an address in it" {
        on_podman0 10.234.151.0/24
        CONTAINERS_CONF=$(conf sub 'default_subnet = "10.234.151.0/24"')
        export CONTAINERS_CONF
        run_engine network inspect podman
        is "$(jq -r '.[0].subnets[0].subnet' <<<"$output")" "10.234.151.0/24"
        is "$(jq -r '.[0].subnets[0].gateway' <<<"$output")" "10.234.151.1"
        is "$(jq -r '.[0].id' <<<"$output")" "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"
        is "$(jq -r '.[0].network_interface' <<<"$output")" "podman0"
        run_engine network ls --format '{{.Name}} {{.ID}}'
        is "$output" "podman 2f259bab93aa"
        run_engine run --rm busy sh -c 'ip -4 -o addr show eth0; ip route'
        is "${lines[0]}" ".*eth0 +inet 10\.234\.151\.[0-9]+/24 .*"
        assert_line_contains "default via 10.234.151.1 dev eth0"
        ip -4 -o addr show dev podman0 | grep -q " 10.234.151.1/24 " || die "podman0 has no 10.234.151.1/24"
        # host bits are cleared, as podman's net.ParseCIDR does; not stored: the next call
        # without the key is back to 10.88.0.0/16
        CONTAINERS_CONF=$(conf host 'default_subnet = "10.234.151.77/24"') run_engine network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}}' podman
        is "$output" "10.234.151.0/24"
        unset CONTAINERS_CONF
        run_engine network inspect --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}' podman
        is "$output" "10.88.0.0/16 10.88.0.1"
}

@test "default_subnet: a bad value is an error naming it, for every command; nothing is made" {
        local v
        for v in 10.300.0.0/16 banana; do
                CONTAINERS_CONF=$(conf bad "default_subnet = \"$v\"") run_engine 125 network ls
                is "$output" "Error: failed to parse default subnet: invalid CIDR address: $v"
                CONTAINERS_CONF=$(conf bad "default_subnet = \"$v\"") run_engine 125 ps -a
                is "$output" "Error: failed to parse default subnet: invalid CIDR address: $v"
                CONTAINERS_CONF=$(conf bad "default_subnet = \"$v\"") run_engine 125 run --rm busy true
                is "$output" "Error: failed to parse default subnet: invalid CIDR address: $v"
        done
        CONTAINERS_CONF=$(conf small 'default_subnet = "10.234.152.0/31"') run_engine 125 network ls
        is "$output" "Error: failed to parse default subnet: subnet 10.234.152.0/31 is too small"
        run_engine ps -aq
        is "$output" "" "no container was made"
}

@test "default_network: containers without --network join it on podman0; podman's ls/rm/create" {
        CONTAINERS_CONF=$(conf name 'default_network = "mynet"')
        export CONTAINERS_CONF
        run_engine network ls --format '{{.Name}} {{.ID}} {{.Driver}}'
        is "$output" "mynet 2f259bab93aa bridge" "podman is not listed: mynet is the default"
        run_engine network inspect --format '{{.NetworkInterface}} {{range .Subnets}}{{.Subnet}}{{end}}' mynet
        is "$output" "podman0 10.88.0.0/16"
        run_engine 125 network inspect podman
        assert_line_contains "unable to find network with name or ID podman: network not found"
        run_engine run -d --name d1 busy sleep 100
        cid=$output
        run_engine inspect --format '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' d1
        is "$output" "bridge mynet"
        is "$(ctr_ip d1)" "10\.88\.[0-9]+\.[0-9]+"
        run_engine ps --format '{{.Names}} {{.Networks}}'
        is "$output" "d1 mynet"
        # --network bridge means the default network as well
        run_engine run --rm --network bridge busy sh -c 'ip -4 -o addr show eth0'
        is "$output" ".*inet 10\.88\.[0-9]+\.[0-9]+/16 .*"
        run_engine 125 network rm mynet
        is "$output" "Error: default network mynet cannot be removed"
        run_engine 125 network create mynet
        is "$output" "Error: network name mynet already used: network already exists"
        # "podman" is an ordinary name now
        run_engine network create --subnet 10.234.153.0/24 --interface-name c155a podman
        is "$output" "podman"
        run_engine network rm podman
        run_engine rm -f -t 0 d1
        veths_gone "$cid"
}

@test "default_subnet changed between runs: leases stay until a restart, ipam and cleanup cope" {
        on_podman0 10.234.154.0/24
        run_engine run -d --name old busy httpd -f -p 8080 -h /srv
        old=$output
        oldip=$(ctr_ip old)
        is "$oldip" "10\.88\.[0-9]+\.[0-9]+"
        CONTAINERS_CONF=$(conf moved 'default_subnet = "10.234.154.0/24"')
        export CONTAINERS_CONF
        run_engine run -d --name new busy sleep 100
        new=$output
        is "$(ctr_ip new)" "10\.234\.154\.[0-9]+"
        is "$(ctr_ip old)" "$oldip" "the running container keeps its address"
        ip -4 -o addr show dev podman0 | grep -q " 10.234.154.1/24 " || die "podman0 lacks the new gateway"
        ip -4 -o addr show dev podman0 | grep -q " 10.88.0.1/16 " || die "podman0 lost the old gateway"
        # both are served: the host reaches the old one, the new one reaches it through the host
        run curl -s --max-time 5 "http://$oldip:8080/index.html"
        is "$output" "hello-from-srv" "the host reaches the container on the old subnet"
        run_engine exec new wget -qO- "http://$oldip:8080/index.html"
        is "$output" "hello-from-srv"
        # a lease outside the subnet does not upset the allocator
        run_engine run --rm busy sh -c 'ip -4 -o addr show eth0'
        is "$output" ".*inet 10\.234\.154\.[0-9]+/24 .*"
        # a restart takes an address of the network as it is now
        run_engine restart -t 0 old
        is "$(ctr_ip old)" "10\.234\.154\.[0-9]+"
        run_engine rm -f -t 0 old new
        veths_gone "$old"
        veths_gone "$new"
        run_engine ps -aq
        is "$output" ""
}

@test "two roots with different default subnets share podman0; neither breaks" {
        on_podman0 10.234.155.0/24
        on_podman0 10.234.156.0/24
        local r2=$CUTTLE_TEST_DIR/root2 rr2=$CUTTLE_TEST_DIR/runroot2 ip1 ip2
        ROOTS+=("$r2 $rr2")
        CONTAINERS_CONF=$(conf a 'default_subnet = "10.234.155.0/24"') run_engine run -d --name a1 busy httpd -f -p 8080 -h /srv
        a1=$output
        CONTAINERS_CONF=$(conf b 'default_subnet = "10.234.156.0/24"')
        export CONTAINERS_CONF
        rootfs_tar "$CUTTLE_TEST_DIR/img2.tar" srv/index.html=from-b
        "$CUTTLE" --root "$r2" --runroot "$rr2" import "$CUTTLE_TEST_DIR/img2.tar" busy2 >/dev/null ||
                die "import into the second root failed"
        b1=$("$CUTTLE" --root "$r2" --runroot "$rr2" run -d --name b1 busy2 httpd -f -p 8080 -h /srv) ||
                die "run in the second root failed"
        ip1=$(ctr_ip a1)
        ip2=$("$CUTTLE" --root "$r2" --runroot "$rr2" inspect --format '{{.NetworkSettings.IPAddress}}' b1)
        is "$ip1" "10\.234\.155\.[0-9]+"
        is "$ip2" "10\.234\.156\.[0-9]+"
        run ip -4 -o addr show dev podman0
        assert_line_contains "10.234.155.1/24"
        assert_line_contains "10.234.156.1/24"
        # the masquerade of the shared bridge covers both subnets, whichever root wrote it last
        run nft list chain inet cuttle nat-podman0
        assert_line_contains "saddr 10.234.155.0/24"
        assert_line_contains "saddr 10.234.156.0/24"
        run curl -s --max-time 5 "http://$ip1:8080/index.html"
        is "$output" "hello-from-srv"
        run curl -s --max-time 5 "http://$ip2:8080/index.html"
        is "$output" "from-b"
        # one root's teardown leaves the other's container working
        run_engine rm -f -t 0 a1
        veths_gone "$a1"
        run curl -s --max-time 5 "http://$ip2:8080/index.html"
        is "$output" "from-b"
        "$CUTTLE" --root "$r2" --runroot "$rr2" rm -f -t 0 b1 >/dev/null || die "rm in the second root failed"
        veths_gone "$b1"
}

@test "--network-config-dir: definitions are podman's <dir>/<name>.json files" {
        local dir=$CUTTLE_TEST_DIR/nets/sub
        NETDIRS+=("$dir")
        run_engine --network-config-dir "$dir" network create --subnet 10.234.157.0/24 --interface-name c155f \
                --label team=a n1
        is "$output" "n1"
        [ -f "$dir/n1.json" ] || die "no $dir/n1.json"
        is "$(stat -c %a "$dir")" "755"
        is "$(stat -c %a "$dir/n1.json")" "644"
        run_engine --network-config-dir "$dir" network inspect n1
        is "$(jq -S '.[0]' <<<"$output")" "$(jq -S . "$dir/n1.json")" "the file is inspect's object"
        is "$(head -c 12 "$dir/n1.json")" '{
     "name'
        ls "$dir" | grep -q tmp && die "a temporary file was left: $(ls "$dir")"
        run_engine --network-config-dir "$dir" network ls --format '{{.Name}}'
        is "$output" "n1
podman"
        # the database does not have it
        run_engine network ls --format '{{.Name}}'
        is "$output" "podman"
        # the key does the same as the flag
        CONTAINERS_CONF=$(conf dir "network_config_dir = \"$dir\"")
        export CONTAINERS_CONF
        run_engine network ls --format '{{.Name}} {{.Labels}}'
        assert_line_contains "n1 team=a"
        run_engine run -d --name f1 --network n1 -p 127.0.0.1::8080 busy httpd -f -p 8080 -h /srv
        cid=$output
        is "$(ctr_ip f1)" "10\.234\.157\.[0-9]+"
        # the exit command carries the directory, so that the cleanup sees the same networks
        local p found=
        for p in /proc/[0-9]*; do
                tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "--cid $cid" || continue
                tr '\0' ' ' <"$p/cmdline" | grep -q -- "--exit-command --network-config-dir --exit-command $dir " &&
                        found=1
        done
        [ -n "$found" ] || die "no monitor of $cid with --network-config-dir in its exit command"
        run_engine 2 network rm n1
        assert_line_contains "has associated containers with it"
        run_engine stop -t 0 f1
        run_engine rm f1
        veths_gone "$cid"
        run_engine network rm n1
        is "$output" "n1" "the cleanup released the lease: no -f needed"
        [ ! -e "$dir/n1.json" ] || die "$dir/n1.json left"
        run_engine 1 network rm n1
}

@test "--network-config-dir: bad files are skipped with a warning naming them" {
        local dir=$CUTTLE_TEST_DIR/nets2
        NETDIRS+=("$dir")
        run_engine --network-config-dir "$dir" network create --subnet 10.234.158.0/24 --interface-name c155g good
        echo '{bad' >"$dir/bad.json"
        sed 's/"good"/"other"/' "$dir/good.json" >"$dir/misnamed.json"
        echo '{"name": "noid"}' >"$dir/noid.json"
        echo 'not json at all' >"$dir/notes.txt"
        run_engine --network-config-dir "$dir" network ls --format '{{.Name}}'
        assert_line_contains "Error reading network config file \"$dir/bad.json\""
        assert_line_contains "Network config name \"other\" does not match file name \"misnamed.json\", skipping"
        assert_line_contains "Network config \"$dir/noid.json\" could not be parsed, skipping: invalid network ID \"\""
        assert_line_contains "good"
        assert_line_contains "podman"
        run_engine --network-config-dir "$dir" network inspect --format '{{.Name}}' good
        is "$output" "good"
        run_engine --network-config-dir "$dir" run --rm --network good busy sh -c 'ip -4 -o addr show eth0'
        assert_line_contains "inet 10.234.158."
        run_engine 125 --network-config-dir "$dir" network inspect bad
        assert_line_contains "unable to find network with name or ID bad: network not found"
        run_engine --network-config-dir "$dir" network rm good
        [ -e "$dir/bad.json" ] || die "a file cuttle could not read was removed"
}

@test "--network-config-dir: a network podman 4.3 wrote is usable, and podman reads ours" {
        skip_if_no podman "podman is installed on the test machines (Debian 12's 4.3)"
        local dir=$CUTTLE_TEST_DIR/pnets pt=$CUTTLE_TEST_DIR/podman
        NETDIRS+=("$dir")
        printf '[containers]\ndefault_ulimits = []\n[network]\nnetwork_backend = "netavark"\n' >"$CUTTLE_TEST_DIR/podman.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/podman.conf run podman --root "$pt/root" --runroot "$pt/runroot" \
                --storage-driver vfs --network-config-dir "$dir" network create --subnet 10.234.159.0/24 \
                --label from=podman pnet
        is "$status" 0 "podman network create: $output"
        run_engine --network-config-dir "$dir" network inspect --format '{{.NetworkInterface}} {{index .Labels "from"}} {{range .Subnets}}{{.Subnet}}{{end}}' pnet
        is "$output" "podman[0-9]+ podman 10.234.159.0/24"
        run_engine --network-config-dir "$dir" run --rm --network pnet busy sh -c 'ip -4 -o addr show eth0; ip route'
        assert_line_contains "inet 10.234.159."
        assert_line_contains "default via 10.234.159.1"
        run_engine --network-config-dir "$dir" network create --subnet 10.234.160.0/24 --interface-name c155q cnet
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/podman.conf run podman --root "$pt/root" --runroot "$pt/runroot" \
                --storage-driver vfs --network-config-dir "$dir" network inspect --format '{{.NetworkInterface}}' cnet
        is "$output" "c155q" "podman reads cuttle's file"
        run_engine --network-config-dir "$dir" network rm pnet cnet
        is "$output" "pnet
cnet"
        rm -rf "$pt"
}
