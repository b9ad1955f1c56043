#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# network create / ls / inspect / rm / prune / exists / reload, and bad input.
# Subnets come from 10.232.0.0/16 so that they do not meet the host's.

load helpers
load engine

setup() { engine_setup; }
teardown() { engine_teardown; }

@test "network: the default network is there, in podman's shape" {
        run_engine network ls
        assert_line_contains "2f259bab93aa  podman      bridge"
        run_engine network inspect podman
        is "$(jq -r '.[0].subnets[0].subnet' <<<"$output")" "10.88.0.0/16"
        is "$(jq -r '.[0].network_interface' <<<"$output")" "podman0"
        is "$(jq -r '.[0].ipam_options.driver' <<<"$output")" "host-local"
        is "$(jq -r '.[0].dns_enabled' <<<"$output")" "false"
}

@test "network: create, inspect, ls, exists, rm" {
        run_engine network create --subnet 10.232.1.0/24 --gateway 10.232.1.254 --ip-range 10.232.1.128/25 \
                --label team=a -o mtu=1400 --internal n1
        is "$output" "n1"
        run_engine network inspect n1
        is "$(jq -r '.[0].subnets[0].gateway' <<<"$output")" "10.232.1.254"
        is "$(jq -r '.[0].subnets[0].lease_range.start_ip' <<<"$output")" "10.232.1.129"
        is "$(jq -r '.[0].labels.team' <<<"$output")" "a"
        is "$(jq -r '.[0].options.mtu' <<<"$output")" "1400"
        is "$(jq -r '.[0].internal' <<<"$output")" "true"
        is "$(jq -r '.[0].network_interface' <<<"$output")" "cuttle0"
        run_engine network ls --format '{{.Name}}' --filter label=team=a
        is "$output" "n1"
        run_engine network ls -q
        is "$output" "n1
podman"
        run_engine network ls --format json
        is "$(jq -r 'length' <<<"$output")" "2"
        run_engine network exists n1
        run_engine 1 network exists nope
        run_engine network rm n1
        is "$output" "n1"
        run_engine 1 network exists n1
}

@test "network: an unnamed network gets the next name and a pool subnet" {
        run_engine network create
        is "$output" "cuttle1"
        run_engine network prune -f
        is "$output" "cuttle1"
        run_engine network ls -q
        is "$output" "podman"
}

@test "network: bad input is refused with podman's messages, nothing half-made" {
        run_engine network create --subnet 10.232.2.0/24 a1
        run_engine 125 network create --subnet 10.232.2.128/25 a2
        is "$output" "Error: subnet 10.232.2.128/25 is already used on the host or by another config"
        run_engine 125 network create --subnet 10.232.999.0/24 a2
        is "$output" "Error: invalid CIDR address: 10.232.999.0/24"
        run_engine 125 network create --subnet 10.232.3.0/24 --gateway 10.232.4.1 a2
        is "$output" "Error: gateway 10.232.4.1 not in subnet 10.232.3.0/24"
        run_engine 125 network create --gateway 10.232.4.1 a2
        is "$output" "Error: cannot set gateway or range without subnet"
        run_engine 125 network create a1
        is "$output" "Error: network name a1 already used: network already exists"
        run_engine 125 network create -o foo=1 a2
        is "$output" "Error: unsupported bridge network option foo"
        run_engine 125 network create 'a/b'
        is "$output" "Error: network name a/b invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument"
        run_engine 1 network exists a2
        run_engine 125 network inspect nope
        assert_line_contains "unable to find network with name or ID nope: network not found"
        run_engine 1 network rm nope
        is "$output" "Error: unable to find network with name or ID nope: network not found"
        run_engine 125 network rm podman
        is "$output" "Error: default network podman cannot be removed"
}

@test "network: reload re-creates the firewall table" {
        command -v nft >/dev/null || skip "nft is not installed"
        run_engine network reload --all
        run nft list table inet cuttle
        is "$status" "0" "the table exists after reload"
}
