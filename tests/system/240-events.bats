#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# events: the "file" events logger (<runroot>/events/events.log), the lifecycle events the
# engine emits, --filter, --format (human, json, templates), --since/--until, --stream, and
# the events backends (file, none, journald).

load helpers
load engine

setup() {
        engine_setup
        make_image busy
        # each test starts with no events (the import above logged one)
        rm -f "$ENGINE_RUNROOT/events/events.log"
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        engine_teardown
}


@test "events: the lifecycle of a container, in order" {
        run_engine run -d --name life --label app=web busy sleep 100
        cid=$output
        run_engine exec life true
        run_engine pause life
        run_engine unpause life
        run_engine kill -s USR1 life
        run_engine stop -t 0 life
        run_engine rm life
        run_engine events --stream=false --filter container=life --format '{{.Status}}'
        s="${lines[*]}"
        # the monitor's exit command runs `container cleanup` on its own: its event may come
        # before or after remove (or not at all once the container is gone)
        is "${s/ cleanup/}" "create init start exec exec_died pause unpause kill stop died remove"
        # the file is JSON lines under the run root
        [ -f "$ENGINE_RUNROOT/events/events.log" ] || die "no events file"
        run_engine events --stream=false --filter container="$cid" --filter event=died
        is "$output" "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ \+0000 UTC container died $cid \(image=localhost/busy:latest, name=life, app=web\)"
}

@test "events: the exit code of died and exec_died; run --rm logs remove" {
        run_engine 3 run --rm --name gone busy sh -c 'exit 3'
        run_engine run -d --name ex busy sleep 100
        run_engine 7 exec ex sh -c 'exit 7'
        run_engine events --stream=false --filter event=died --filter event=exec_died \
                --format '{{.Name}} {{.Status}} {{.ContainerExitCode}}'
        is "$output" "gone died 3
ex exec_died 7"
        for _ in $(seq 50); do
                run_engine events --stream=false --filter container=gone --filter event=remove --format '{{.Status}}'
                [ "$output" = remove ] && break
                sleep 0.1
        done
        is "$output" "remove" "run --rm: the remove event"
}

@test "events --format json: podman's fields" {
        run_engine create --name j1 --label k=v busy true
        cid=$output
        run_engine events --stream=false --format json --filter event=create
        is "$output" "\{\"ID\":\"$cid\",\"Image\":\"localhost/busy:latest\",\"Name\":\"j1\",\"Status\":\"create\",\"Time\":\"[0-9-]+T[0-9:.]+Z\",\"timeNano\":[0-9]+,\"Type\":\"container\",\"Attributes\":\{\"k\":\"v\"\}\}"
        run_engine events --stream=false --format '{{json .}}' --filter event=create
        is "$output" "\{\"ID\":\"$cid\".*"
        run_engine events --stream=false --format '{{.ID}}|{{.Type}}|{{.Time}}|{{.Attributes}}'
        is "$output" "$cid\|container\|[0-9-]+ [0-9:.]+ \+0000 UTC\|map\[k:v\]"
        run_engine events --stream=false --no-trunc=false --format '{{.ID}}'
        is "$output" "${cid:0:12}"
        run_engine 125 events --stream=false --format '{{.Foo}}'
        is "$output" "Error: template: events:1:2: executing \"events\" at <.Foo>: can't evaluate field Foo in type \*events.Event"
}

@test "events --filter: container, event, label, type, image; bad filters" {
        run_engine create --name a1 --label tier=front busy true
        run_engine create --name b1 busy true
        run_engine events --stream=false --filter label=tier=front --format '{{.Name}}'
        is "$output" "a1"
        run_engine events --stream=false --filter container=a1 --filter container=b1 --format '{{.Name}}'
        is "$output" "a1
b1"
        run_engine events --stream=false --filter type=image
        is "$output" ""
        run_engine events --stream=false --filter type=container --filter image=busy --format '{{.Name}}'
        is "$output" "a1
b1"
        run_engine events --stream=false --filter image=other
        is "$output" ""
        run_engine 125 events --stream=false --filter foo
        is "$output" "Error: foo is an invalid filter"
        run_engine 125 events --stream=false --filter bogus=1
        is "$output" "Error: bogus=1 is an invalid filter"
        run_engine 125 events --stream=false extra
        is "$output" "Error: .*takes no arguments"
}

@test "events --since / --until: timestamps and durations" {
        run_engine create --name t1 busy true
        run_engine events --stream=false --since 1m --format '{{.Name}}'
        is "$output" "t1"
        run_engine events --stream=false --since 2099-01-01T00:00:00Z
        is "$output" ""
        run_engine events --stream=false --until 2000-01-01
        is "$output" ""
        now=$(date +%s)
        run_engine events --stream=false --since $((now - 60)) --until $((now + 60)) --format '{{.Name}}'
        is "$output" "t1"
        run_engine 125 events --stream=false --since bogus
        is "$output" "Error: failed to parse since time: .*"
}

@test "events: streams new events until --until (inotify)" {
        out=$CUTTLE_TEST_DIR/stream.out
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" events --until 4s \
                --filter event=start --format '{{.Name}}' >"$out" 2>&1 &
        pid=$!
        sleep 0.5
        run_engine run -d --name s1 busy true
        run_engine run -d --name s2 busy true
        # it prints as events come, long before --until ends the stream
        for _ in $(seq 30); do
                [ "$(wc -l <"$out")" -ge 2 ] && break
                sleep 0.1
        done
        is "$(cat "$out")" "s1
s2"
        wait "$pid" || die "events exited with $?"
}

@test "events: --events-backend none logs nothing; journald and none cannot be read" {
        run_engine --events-backend none run --rm busy true
        [ ! -s "$ENGINE_RUNROOT/events/events.log" ] || die "events were logged: $(cat "$ENGINE_RUNROOT/events/events.log")"
        run_engine 125 --events-backend none events --stream=false
        is "$output" 'Error: cannot read events with the "none" backend'
        run_engine 125 --events-backend journald events --stream=false
        is "$output" 'Error: cannot read events with the "journald" backend.*'
        # containers.conf's events_logger
        printf '[engine]\nevents_logger = "none"\n' >"$CUTTLE_TEST_DIR/containers.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/containers.conf run_engine 125 events --stream=false
        is "$output" 'Error: cannot read events with the "none" backend'
        run_engine 125 --events-backend bogus events --stream=false
}

@test "events: image import, tag, untag, save, remove, load" {
        make_image busy
        run_engine tag busy busy2
        run_engine untag busy busy2
        run_engine save -o "$CUTTLE_TEST_DIR/s.tar" busy
        run_engine rmi busy
        run_engine load -i "$CUTTLE_TEST_DIR/s.tar"
        run_engine events --stream=false --filter type=image --format '{{.Status}} {{.Name}}'
        is "$output" "import localhost/busy:latest
tag localhost/busy2:latest
untag localhost/busy2:latest
save localhost/busy:latest
remove localhost/busy:latest
load localhost/busy:latest"
        run_engine events --stream=false --filter event=tag
        is "$output" "[0-9-]+ [0-9:.]+ \+0000 UTC image tag $IMAGE_ID localhost/busy2:latest"
}
