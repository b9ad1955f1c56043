#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Healthchecks with no daemon and no systemd: --health-* options, the image's HEALTHCHECK,
# the monitor's timer, `healthcheck run`, status in inspect and ps, --health-on-failure.

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

# wait_health NAME STATUS [SECONDS]: until inspect shows State.Health.Status STATUS.
wait_health() {
        local name=$1 want=$2 secs=${3:-15} i got=
        for ((i = 0; i < secs * 10; i++)); do
                got=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect \
                        --format '{{.State.Health.Status}}' "$name" 2>&1) || true
                [ "$got" = "$want" ] && return 0
                sleep 0.1
        done
        die "container $name: health \"$got\" after ${secs}s, expected \"$want\""
}

# wait_state NAME STATE [SECONDS]: until inspect shows State.Status STATE.
wait_state() {
        local name=$1 want=$2 secs=${3:-20} i got=
        for ((i = 0; i < secs * 10; i++)); do
                got=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect \
                        --format '{{.State.Status}}' "$name" 2>&1) || true
                [ "$got" = "$want" ] && return 0
                sleep 0.1
        done
        die "container $name: state \"$got\" after ${secs}s, expected \"$want\""
}

@test "healthcheck: a passing check turns the container healthy; inspect, ps, ps --filter health" {
        run_engine run -d --name h0 --health-cmd true --health-interval 1m busy sleep 100
        run_engine run -d --name h1 --health-cmd 'echo hi; true' --health-interval 1s busy sleep 100
        run_engine run -d --name n1 busy sleep 100
        run_engine inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' h0
        is "$output" "starting 0"
        wait_health h1 healthy
        run_engine inspect --format '{{json .Config.Healthcheck}} {{.Config.HealthcheckOnFailureAction}}' h1
        is "$output" '{"Test":["CMD-SHELL","echo hi; true"],"Interval":1000000000,"Timeout":30000000000,"Retries":3} none'
        run_engine inspect --format '{{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}' h1
        is "$output" "0 0 hi"
        run_engine inspect --format '{{(index .State.Health.Log 0).Start}}' h1
        is "$output" "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"
        # a container without a healthcheck: podman's empty Health, no Config.Healthcheck
        run_engine inspect --format '{{json .State.Health}} {{json .Config.Healthcheck}} {{.Config.HealthcheckOnFailureAction}}' n1
        is "$output" '{"Status":"","FailingStreak":0,"Log":null} null none'

        run_engine ps --format '{{.Names}}|{{.Status}}' --sort names
        is "${lines[0]}" "h0\|Up .* ago \(starting\)"
        is "${lines[1]}" "h1\|Up .* ago \(healthy\)"
        is "${lines[2]}" "n1\|Up .* ago"
        run_engine ps
        is "${lines[2]}" ".* Up .* ago \(healthy\) +h1"
        run_engine ps --format json
        is "$(jq -r '.[] | select(.Names[0] == "h1") | .Status' <<<"$output")" "Up .* ago \(healthy\)"
        run_engine ps --filter health=healthy --format '{{.Names}}'
        is "$output" "h1"
        run_engine ps --filter health=starting --format '{{.Names}}'
        is "$output" "h0"
        run_engine ps --filter health=none --format '{{.Names}}'
        is "$output" "n1"
        run_engine ps --filter health=unhealthy --format '{{.Names}}'
        is "$output" ""
}

@test "healthcheck: failures turn it unhealthy after --health-retries" {
        run_engine run -d --name bad --health-cmd 'echo oops; exit 2' --health-interval 1s --health-retries 2 busy sleep 100
        wait_health bad unhealthy
        run_engine inspect --format '{{.State.Status}} {{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}} {{(index .State.Health.Log 1).ExitCode}}' bad
        is "$output" "running 2 oops 2"
        run_engine inspect --format '{{.State.Health.FailingStreak}}' bad
        [ "$output" -ge 2 ] || die "FailingStreak $output < 2"
        run_engine ps --filter health=unhealthy --format '{{.Names}} {{.Status}}'
        is "$output" "bad Up .* ago \(unhealthy\)"
}

@test "healthcheck run: exit codes, podman's messages, the log keeps the last 5 results" {
        run_engine run -d --name ok --health-cmd true --health-interval disable busy sleep 100
        run_engine inspect --format '{{.State.Health.Status}} {{json .Config.Healthcheck}}' ok
        is "$output" 'starting {"Test":["CMD-SHELL","true"],"Timeout":30000000000,"Retries":3}'
        run_engine healthcheck run ok
        is "$output" ""
        run_engine inspect --format '{{.State.Health.Status}} {{len .State.Health.Log}}' ok
        is "$output" "healthy 1"

        run_engine run -d --name fail --health-cmd 'echo "$N"; false' --health-interval disable busy sleep 100
        for i in 1 2 3 4 5 6 7; do
                run_engine 1 healthcheck run fail
                is "$output" "unhealthy"
        done
        run_engine inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}' fail
        is "$output" "unhealthy 7 5"

        run_engine run -d --name noh busy sleep 100
        id=$output
        run_engine 125 healthcheck run noh
        is "$output" "Error: container $id has no defined healthcheck"
        run_engine create --name cr --health-cmd true busy sleep 100
        id=$output
        run_engine 125 healthcheck run cr
        is "$output" "Error: container $id is not running"
        run_engine 125 healthcheck run nosuch
        is "$output" 'Error: unable to look up nosuch to perform a health check: no container with name or ID "nosuch" found: no such container'
        run_engine 125 healthcheck run
        is "$output" "Error: accepts 1 arg(s), received 0"
        run_engine 125 healthcheck run ok fail
        is "$output" "Error: accepts 1 arg(s), received 2"
        run_engine 125 healthcheck
        is "${lines[-1]}" "Error: missing command 'cuttle healthcheck COMMAND'"
}

@test "healthcheck: failures in the start period do not count" {
        run_engine run -d --name sp --health-cmd false --health-interval 1s --health-retries 1 --health-start-period 4s busy sleep 100
        sleep 2.5
        run_engine inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' sp
        is "$output" "starting 0"
        run_engine inspect --format '{{len .State.Health.Log}}' sp
        [ "$output" -ge 1 ] || die "no check ran in the start period"
        wait_health sp unhealthy
        run_engine inspect --format '{{.State.Health.FailingStreak}}' sp
        is "$output" "1"
}

@test "healthcheck: a check that hangs is killed at --health-timeout" {
        run_engine run -d --name to --health-cmd 'echo started; sleep 77; echo never' --health-timeout 1s --health-interval disable busy sleep 100
        SECONDS=0
        run_engine 125 healthcheck run to
        is "$output" "Error: healthcheck command exceeded timeout of 1s"
        [ "$SECONDS" -lt 10 ] || die "the timed-out check took ${SECONDS}s"
        run pgrep -f "^sleep 77$"
        is "$output" "" "the check's process was killed"
        run_engine inspect --format '{{.State.Health.Status}} {{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}' to
        is "$output" "starting -1 started"

        # the monitor's checks time out the same way
        run_engine run -d --name tm --health-cmd 'sleep 78; echo never' --health-timeout 1s --health-interval 1s --health-retries 1 busy sleep 100
        wait_health tm unhealthy
        run_engine inspect --format '{{(index .State.Health.Log 0).ExitCode}}' tm
        is "$output" "-1"
        run_engine rm -f -t 0 tm
        sleep 0.5
        run pgrep -f "^sleep 78$"
        is "$output" "" "no check left after rm -f"
}

@test "healthcheck: --health-on-failure kill and stop end the container; stop beats --restart always" {
        run_engine run -d --name k --health-cmd false --health-interval 1s --health-retries 1 --health-on-failure kill busy sleep 100
        run_engine run -d --name s --health-cmd false --health-interval 1s --health-retries 1 --health-on-failure stop --stop-timeout 1 --restart always busy sleep 100
        run_engine wait k
        is "$output" "137"
        wait_state s exited
        run_engine inspect --format '{{.State.Status}} {{.State.Health.Status}} {{.Config.HealthcheckOnFailureAction}}' k s
        is "${lines[0]}" "exited unhealthy kill"
        is "${lines[1]}" "exited unhealthy stop"
        sleep 1.5
        run_engine inspect --format '{{.State.Status}}' s
        is "$output" "exited" "a stopped container is not restarted"
}

@test "healthcheck: --health-on-failure restart starts the container again" {
        run_engine run -d --name r --stop-timeout 1 --health-interval 1s --health-retries 1 --health-on-failure restart \
                --health-cmd 'test -f /ok || { touch /ok; exit 1; }' busy sh -c 'echo started; exec sleep 100'
        # Polled without pause: a look between the exit and the new start must not leave the
        # container recorded as exited while the monitor runs it again.
        local deadline=$((SECONDS + 20))
        while [ $SECONDS -lt $deadline ]; do
                run_engine inspect --format '{{.State.Status}} {{.State.Health.Status}}' r
                [ "$output" = "running healthy" ] && break
        done
        is "$output" "running healthy"
        run_engine inspect --format '{{.State.Status}} {{.State.Health.FailingStreak}}' r
        is "$output" "running 0"
        run_engine logs r
        is "$output" "started
started" "the container ran twice"
}

@test "healthcheck: podman's option errors; nothing is created" {
        run_engine 125 run -d --health-on-failure foo busy true
        is "$output" 'Error: invalid on-failure action "foo" for health check: supported actions are none,kill,restart,stop'
        run_engine 125 create --health-cmd true --health-interval 3x busy true
        is "$output" 'Error: invalid healthcheck-interval: time: unknown unit "x" in duration "3x"'
        run_engine 125 create --health-cmd true --health-retries 0 busy true
        is "$output" "Error: healthcheck-retries must be greater than 0"
        run_engine 125 create --health-cmd true --health-timeout 0 busy true
        is "$output" "Error: healthcheck-timeout must be at least 1 second"
        run_engine 125 create --health-cmd true --health-timeout x busy true
        is "$output" 'Error: invalid healthcheck-timeout: time: invalid duration "x"'
        run_engine 125 create --health-cmd true --health-start-period -1s busy true
        is "$output" "Error: healthcheck-start-period must be 0 seconds or greater"
        run_engine 125 create --health-cmd true --no-healthcheck busy true
        is "$output" "Error: cannot specify both --no-healthcheck and --health-cmd"
        run_engine 125 create --health-cmd '[]' busy true
        is "$output" "Error: must define a healthcheck command for all healthchecks"
        run_engine ps -aq
        is "$output" ""
        run_engine create --name forms --health-cmd '["echo","hi"]' --health-start-period 2m30s --health-on-failure kill busy true
        run_engine inspect --format '{{json .Config.Healthcheck}} {{.Config.HealthcheckOnFailureAction}}' forms
        is "$output" '{"Test":["CMD","echo","hi"],"StartPeriod":150000000000,"Interval":30000000000,"Timeout":30000000000,"Retries":3} kill'
        run_engine inspect --format '{{json .State.Health}}' forms
        is "$output" '{"Status":"","FailingStreak":0,"Log":null}'
}

# An image whose config has a HEALTHCHECK: `save`, edit the config with jq, `load`.
make_health_image() {
        local d=$CUTTLE_TEST_DIR/hcimg cfg sum
        mkdir -p "$d"
        run_engine save -o "$d/a.tar" busy
        tar -C "$d" -xf "$d/a.tar"
        rm -f "$d/a.tar" "$d/repositories"
        cfg=$(jq -r '.[0].Config' "$d/manifest.json")
        jq -c '.config.Healthcheck = {"Test":["CMD-SHELL","echo from-image"],"Interval":1000000000,"StartPeriod":0,"Retries":0}' \
                "$d/$cfg" >"$d/new.json"
        sum=$(sha256sum "$d/new.json" | cut -d' ' -f1)
        mv "$d/new.json" "$d/$sum.json"
        rm -f "$d/$cfg"
        jq -c --arg c "$sum.json" '.[0].Config = $c | .[0].RepoTags = ["localhost/hc:latest"]' \
                "$d/manifest.json" >"$d/m" && mv "$d/m" "$d/manifest.json"
        tar -C "$d" -cf "$CUTTLE_TEST_DIR/hc.tar" .
        rm -rf "$d"
        run_engine load -i "$CUTTLE_TEST_DIR/hc.tar"
}

@test "healthcheck: the image's HEALTHCHECK; --health-* override it, --no-healthcheck drops it" {
        make_health_image
        run_engine run -d --name img hc sleep 100
        wait_health img healthy
        run_engine inspect --format '{{json .Config.Healthcheck}} {{(index .State.Health.Log 0).Output}}' img
        is "$output" '{"Test":["CMD-SHELL","echo from-image"],"Interval":1000000000,"Timeout":30000000000,"Retries":3} from-image'
        run_engine create --name over --health-retries 5 --health-timeout 2s hc true
        run_engine inspect --format '{{json .Config.Healthcheck}}' over
        is "$output" '{"Test":["CMD-SHELL","echo from-image"],"Interval":1000000000,"Timeout":2000000000,"Retries":5}'
        run_engine create --name mine --health-cmd 'echo mine' hc true
        run_engine inspect --format '{{json .Config.Healthcheck}}' mine
        is "$output" '{"Test":["CMD-SHELL","echo mine"],"Interval":30000000000,"Timeout":30000000000,"Retries":3}'
        run_engine run -d --name off --no-healthcheck hc sleep 100
        id=$output
        run_engine inspect --format '{{json .Config.Healthcheck}}' off
        is "$output" '{"Test":["NONE"]}'
        run_engine 125 healthcheck run off
        is "$output" "Error: container $id has no defined healthcheck"
        run_engine ps --filter health=none --format '{{.Names}}'
        is "$output" "off"
}

@test "healthcheck: no checks while the container is paused (as podman)" {
        run_engine run -d --name pz --health-cmd false --health-interval 1s --health-retries 1 --health-on-failure kill busy sleep 100
        run_engine pause pz
        sleep 3
        run_engine inspect --format '{{.State.Status}} {{.State.Health.Status}} {{json .State.Health.Log}}' pz
        is "$output" "paused starting null"
        run_engine unpause pz
        run_engine wait pz
        is "$output" "137"
        run_engine inspect --format '{{.State.Health.Status}} {{len .State.Health.Log}}' pz
        is "$output" "unhealthy 1"
}
