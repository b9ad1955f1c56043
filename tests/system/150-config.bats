#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Configuration files (storage.conf, containers.conf, registries.conf), global flags, info,
# version, help and bash completion.

load helpers
load engine
load registry

setup() {
        engine_setup
        # nothing from the machine's or the user's configuration leaks in
        export HOME=$CUTTLE_TEST_DIR/home
        mkdir -p "$HOME"
        unset XDG_CONFIG_HOME CONTAINERS_STORAGE_CONF CONTAINERS_CONF CONTAINERS_CONF_OVERRIDE
}

teardown() {
        registry_stop
        engine_teardown
}

# storage_conf FILE GRAPHROOT RUNROOT [DRIVER]
storage_conf() {
        mkdir -p "$(dirname "$1")"
        {
                printf '[storage]\ngraphroot = "%s"\nrunroot = "%s"\n' "$2" "$3"
                if [ -n "${4:-}" ]; then
                        printf 'driver = "%s"\n' "$4"
                fi
                printf '[storage.options]\nmount_program = ""\n'
        } >"$1"
}

@test "storage.conf: graphroot, runroot and driver are used when no flag is given" {
        local conf=$CUTTLE_TEST_DIR/storage.conf
        storage_conf "$conf" "$CUTTLE_TEST_DIR/sroot" "$CUTTLE_TEST_DIR/srun" vfs
        rootfs_tar "$CUTTLE_TEST_DIR/img.tar"
        CONTAINERS_STORAGE_CONF=$conf run_cuttle import "$CUTTLE_TEST_DIR/img.tar" fromconf
        [ -f "$CUTTLE_TEST_DIR/sroot/cuttle.db" ] || die "the store is not under storage.conf's graphroot"
        [ ! -e "$ENGINE_ROOT/cuttle.db" ] || die "the test's --root was used"
        CONTAINERS_STORAGE_CONF=$conf run_cuttle images --format '{{.Repository}}:{{.Tag}}'
        is "$output" "localhost/fromconf:latest"
        CONTAINERS_STORAGE_CONF=$conf run_cuttle info --format json
        is "$(jq -r .store.graphRoot <<<"$output")" "$CUTTLE_TEST_DIR/sroot"
        is "$(jq -r .store.runRoot <<<"$output")" "$CUTTLE_TEST_DIR/srun"
        is "$(jq -r .store.graphDriverName <<<"$output")" vfs
        is "$(jq -r .store.configFile <<<"$output")" "$conf"
        is "$(jq -r .store.imageStore.number <<<"$output")" 1
        is "$(jq -r .store.volumePath <<<"$output")" "$CUTTLE_TEST_DIR/sroot/volumes"
        # the flag wins over the file
        CONTAINERS_STORAGE_CONF=$conf run_cuttle --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" \
                --storage-driver overlay info --format '{{.Store.GraphDriverName}} {{.Store.GraphRoot}}'
        is "$output" "overlay $ENGINE_ROOT"
        rm -rf "$CUTTLE_TEST_DIR/sroot"
}

@test "storage.conf: precedence for the root is flag > \$CONTAINERS_STORAGE_CONF > user file" {
        storage_conf "$HOME/.config/containers/storage.conf" "$CUTTLE_TEST_DIR/user-root" "$CUTTLE_TEST_DIR/user-run"
        storage_conf "$CUTTLE_TEST_DIR/env.conf" "$CUTTLE_TEST_DIR/env-root" "$CUTTLE_TEST_DIR/env-run"
        run_cuttle info --format '{{.Store.GraphRoot}} {{.Store.RunRoot}}'
        is "$output" "$CUTTLE_TEST_DIR/user-root $CUTTLE_TEST_DIR/user-run" "the user's storage.conf"
        CONTAINERS_STORAGE_CONF=$CUTTLE_TEST_DIR/env.conf run_cuttle info --format '{{.Store.GraphRoot}}'
        is "$output" "$CUTTLE_TEST_DIR/env-root" "\$CONTAINERS_STORAGE_CONF over the user's file"
        CONTAINERS_STORAGE_CONF=$CUTTLE_TEST_DIR/env.conf run_engine info --format '{{.Store.GraphRoot}}'
        is "$output" "$ENGINE_ROOT" "--root over both"
        # --root also works after the command, as podman's persistent flags
        CONTAINERS_STORAGE_CONF=$CUTTLE_TEST_DIR/env.conf run_cuttle info --root "$ENGINE_ROOT" \
                --runroot "$ENGINE_RUNROOT" --format '{{.Store.GraphRoot}}'
        is "$output" "$ENGINE_ROOT"
        rm -rf "$CUTTLE_TEST_DIR/user-root" "$CUTTLE_TEST_DIR/env-root"
}

@test "containers.conf: a wrong type is an error naming file and line" {
        local bad=$CUTTLE_TEST_DIR/bad.conf
        printf '[containers]\n# comment\npids_limit = "lots"\n' >"$bad"
        CONTAINERS_CONF=$bad run_engine 125 info
        is "$output" "Error: $bad:3: pids_limit: expected an integer"
        CONTAINERS_CONF=$bad run_engine 125 images
        is "$output" "Error: $bad:3: pids_limit: expected an integer" "every command reads containers.conf"
        printf '[engine]\nevents_logger = "syslog"\n' >"$bad"
        CONTAINERS_CONF=$bad run_engine 125 info
        assert_line_contains "$bad:2: events_logger: invalid value \"syslog\""
        printf '[containers]\nenv = ["A=b"\n' >"$bad"
        CONTAINERS_CONF=$bad run_engine 125 info
        assert_line_contains "$bad:3:"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/missing.conf run_engine 125 info
        assert_line_contains "missing.conf: No such file or directory"
}

@test "containers.conf: values, drop-ins, CONTAINERS_CONF_OVERRIDE and flags" {
        mkdir -p "$HOME/.config/containers/containers.conf.d"
        printf '[engine]\ncgroup_manager = "systemd"\nevents_logger = "none"\nunknown_key = 1\n[containers]\nlog_driver = "journald"\ndefault_capabilities = ["CHOWN", "KILL"]\n[made_up_table]\nx = "y"\n' \
                >"$HOME/.config/containers/containers.conf"
        printf '[engine]\nevents_logger = "journald"\n' >"$HOME/.config/containers/containers.conf.d/10-a.conf"
        run_engine info --format '{{.Host.CgroupManager}} {{.Host.EventLogger}} {{.Host.LogDriver}} {{.Host.Security.Capabilities}}'
        is "$output" "systemd journald journald CAP_CHOWN,CAP_KILL" "user file, then its drop-in"
        run_engine --cgroup-manager cgroupfs --events-backend file info --format '{{.Host.CgroupManager}} {{.Host.EventLogger}}'
        is "$output" "cgroupfs file" "flags over files"
        run_engine 125 --cgroup-manager foo info
        is "$output" 'Error: invalid value "foo" for --cgroup-manager: use one of cgroupfs, systemd'
        # CONTAINERS_CONF: that file alone (the user's files are not read)
        printf '[engine]\ncgroup_manager = "cgroupfs"\n' >"$CUTTLE_TEST_DIR/only.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/only.conf run_engine info --format '{{.Host.CgroupManager}} {{.Host.EventLogger}}'
        is "$output" "cgroupfs file"
        printf '[engine]\nevents_logger = "none"\n' >"$CUTTLE_TEST_DIR/over.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/only.conf CONTAINERS_CONF_OVERRIDE=$CUTTLE_TEST_DIR/over.conf \
                run_engine info --format '{{.Host.EventLogger}}'
        is "$output" none "CONTAINERS_CONF_OVERRIDE is read last"
        # --runtime: a name from [engine.runtimes] or a path
        printf '[engine]\nruntime = "runc"\n[engine.runtimes]\nrunc = ["/nonexistent/runc", "/usr/sbin/runc", "/usr/bin/runc"]\n' \
                >"$CUTTLE_TEST_DIR/rt.conf"
        if [ -x /usr/bin/runc ] || [ -x /usr/sbin/runc ]; then
                CONTAINERS_CONF=$CUTTLE_TEST_DIR/rt.conf run_engine info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
                is "$output" "runc /usr/s?bin/runc"
        fi
        run_engine --runtime /bin/true info --format '{{.Host.OCIRuntime.Name}}'
        is "$output" true
        run_engine info --format '{{.Host.OCIRuntime.Name}}'
        is "$output" cuttle "the built-in runtime by default"
}

@test "global flags: remote connections are refused, the others accepted after the command" {
        run_engine 125 --remote images
        is "$output" "Error: remote connections are not supported"
        run_engine 125 --url unix:///run/podman.sock images
        is "$output" "Error: remote connections are not supported"
        run_engine 125 images --connection foo
        is "$output" "Error: remote connections are not supported"
        run_engine images --remote=false --format '{{.ID}}'
        is "$output" ""
        run_engine images --storage-opt overlay.mountopt=nodev --tmpdir /tmp --volumepath /v \
                --network-config-dir /n --config /c --log-level error --format '{{.ID}}'
        run_engine info --volumepath "$CUTTLE_TEST_DIR/vols" --storage-opt a=b --format '{{.Store.VolumePath}} {{.Store.GraphOptions.a}}'
        is "$output" "$CUTTLE_TEST_DIR/vols b"
}

@test "info: json, templates and the default YAML" {
        make_image one
        run_engine info --format json
        jq -e . <<<"$output" >/dev/null || die "info --format json is not JSON"
        is "$(jq -r .store.graphRoot <<<"$output")" "$ENGINE_ROOT"
        is "$(jq -r .store.runRoot <<<"$output")" "$ENGINE_RUNROOT"
        is "$(jq -r .store.imageStore.number <<<"$output")" 1
        is "$(jq -r .store.containerStore.number <<<"$output")" 0
        is "$(jq -r .host.os <<<"$output")" linux
        is "$(jq -r .host.kernel <<<"$output")" "$(uname -r)"
        is "$(jq -r .host.cpus <<<"$output")" "$(nproc)"
        is "$(jq -r .version.Version <<<"$output")" "[0-9]+\.[0-9]+\.[0-9]+.*"
        is "$(jq -r .host.security.rootless <<<"$output")" "$([ "$(id -u)" = 0 ] && echo false || echo true)"
        run_engine info --format '{{.Store.GraphRoot}}'
        is "$output" "$ENGINE_ROOT"
        run_engine info --format '{{.Host.OS}}/{{.Host.Arch}} {{.Store.ImageStore.Number}}'
        is "$output" "linux/[a-z0-9]+ 1"
        run_engine info --format '{{range .Store.GraphStatus}}{{.}}{{end}}'
        [ -n "$output" ] || die "graphStatus is empty"
        run_engine info
        assert_line_contains "graphRoot: $ENGINE_ROOT"
        is "${lines[0]}" "host:"
        run_engine 125 info --format '{{.Nope}}'
        run_engine 125 info extra
}

@test "registries.conf: \$CONTAINERS_REGISTRIES_CONF resolves short names for pull" {
        skip_if_no docker-registry
        skip_if_no skopeo
        registry_start
        rootfs_tar "$CUTTLE_TEST_DIR/seed.tar" etc/short=yes
        skopeo copy --quiet "tarball:$CUTTLE_TEST_DIR/seed.tar" "oci:$CUTTLE_TEST_DIR/seed-oci:x" ||
                die "skopeo tarball → oci failed"
        registry_seed "$CUTTLE_TEST_DIR/seed-oci:x" lib/shorty:1.0
        printf 'unqualified-search-registries = ["%s"]\n[[registry]]\nlocation = "%s"\ninsecure = true\n' \
                "$REGISTRY_HOST" "$REGISTRY_HOST" >"$CUTTLE_TEST_DIR/registries.conf"
        export CONTAINERS_REGISTRIES_CONF=$CUTTLE_TEST_DIR/registries.conf
        run_engine info --format '{{json .Registries}}'
        is "$output" "{\"search\":[\"$REGISTRY_HOST\"]}"
        run_engine pull lib/shorty:1.0
        run_engine images --format '{{.Repository}}:{{.Tag}}'
        is "$output" "$REGISTRY_HOST/lib/shorty:1.0"
        run_engine image mount lib/shorty:1.0
        is "$(cat "$output/etc/short")" yes
        run_engine image unmount lib/shorty:1.0
        # --registries-conf names another file
        printf 'unqualified-search-registries = []\n' >"$CUTTLE_TEST_DIR/empty.conf"
        run_engine 125 --registries-conf "$CUTTLE_TEST_DIR/empty.conf" pull lib/shorty:1.0
}

@test "version: podman's shape and --format" {
        run_cuttle version
        is "${lines[0]}" "Client: +cuttle"
        is "${lines[1]}" "Version: +[0-9]+\.[0-9]+\.[0-9]+.*"
        is "${lines[2]}" "API Version: +.*"
        is "${lines[3]}" "Go Version: +C"
        is "${lines[4]}" "Built: +.*"
        is "${lines[5]}" "OS/Arch: +linux/.*"
        run_cuttle version --format '{{.Client.GoVersion}} {{.Client.Os}}'
        is "$output" "C linux"
        run_cuttle version --format json
        is "$(jq -r .Client.OsArch <<<"$output")" "linux/.*"
        run_cuttle --version
        is "$output" "cuttle version [0-9].*"
}

@test "help: every command of the tables is listed, and each answers --help" {
        run_cuttle --help
        local help=$output
        is "${lines[0]}" "Manage pods, containers and images"
        assert_line_contains "--root string"
        # the command list, taken from the generated completion (the same tables)
        source <("$CUTTLE" completion bash)
        local cmd sub
        for cmd in $(__cuttle_subcommands ''); do
                [[ $help == *$'\n'"  $cmd "* ]] || die "cuttle --help does not list $cmd"
                run_engine "$cmd" --help
                [ -n "$output" ] || die "cuttle $cmd --help printed nothing"
        done
        for cmd in $__cuttle_groups; do
                for sub in $(__cuttle_subcommands "$cmd"); do
                        run_engine "$cmd" "$sub" --help
                        assert_line_contains "Usage:"
                done
                run_engine 125 "$cmd"
                assert_line_contains "missing command 'cuttle $cmd COMMAND'"
        done
        run_cuttle help images
        assert_line_contains "cuttle images [options]"
        run_cuttle help image rm
        assert_line_contains "Remove"
        run_cuttle 125 help nosuchcommand
        run_cuttle 125 nosuchcommand
        assert_line_contains "unrecognized command \`cuttle nosuchcommand\`"
}

# complete WORD…: COMPREPLY for the command line WORD… (the last word is the one completed)
complete_words() {
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        _cuttle
        if ((${#COMPREPLY[@]})); then
                printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
        fi
}

@test "completion: bash script from the tables; commands, flags and image names" {
        run_cuttle completion bash
        bash -n <<<"$output" || die "the completion script is not valid bash"
        source <("$CUTTLE" completion bash)
        complete -p cuttle | grep -q _cuttle || die "no completion registered for cuttle"
        is "$(complete_words "$CUTTLE" ima)" "image images "
        is "$(complete_words "$CUTTLE" image r)" "rm "
        is "$(complete_words "$CUTTLE" sys)" "system "
        is "$(complete_words "$CUTTLE" system i)" "info "
        is "$(complete_words "$CUTTLE" images --no)" "--no-trunc --noheading "
        is "$(complete_words "$CUTTLE" --stor)" "--storage-driver --storage-opt "
        is "$(complete_words "$CUTTLE" completion "")" "bash "
        make_image alpha
        make_image beta
        run_engine tag beta beta:v2
        is "$(complete_words "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rmi "")" \
                "localhost/alpha:latest localhost/beta:latest localhost/beta:v2 "
        is "$(complete_words "$CUTTLE" --root="$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" image rm localhost/b)" \
                "localhost/beta:latest localhost/beta:v2 "
        # after a flag that takes a value, no image names
        is "$(complete_words "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" save -o localhost/)" ""
        run_cuttle 125 completion zsh
        assert_line_contains "only bash is supported"
}

@test "containers.conf: dns, no_hosts, netns and log_driver are run's defaults; flags win" {
        make_image busy
        cat >"$CUTTLE_TEST_DIR/run.conf" <<'CONF'
[containers]
dns_servers = ["10.1.2.3"]
dns_searches = ["example.test"]
log_driver = "json-file"
log_size_max = 1000000
netns = "none"
CONF
        export CONTAINERS_CONF=$CUTTLE_TEST_DIR/run.conf
        run_engine run --name c1 busy sh -c 'grep -E "^(nameserver|search)" /etc/resolv.conf; ls /sys/class/net'
        is "${lines[0]}" "search example.test"
        is "${lines[1]}" "nameserver 10.1.2.3"
        is "${lines[2]}" "lo" "netns = none: only the loopback"
        run_engine inspect --format '{{.HostConfig.LogConfig.Type}} {{.HostConfig.NetworkMode}}' c1
        is "$output" "json-file none"
        # the flags win over the file
        run_engine run --rm --dns 10.9.9.9 --log-driver k8s-file busy sh -c 'grep ^nameserver /etc/resolv.conf'
        is "$output" "nameserver 10.9.9.9"
        printf '[containers]\nno_hosts = true\n' >"$CUTTLE_TEST_DIR/nohosts.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/nohosts.conf run_engine run --rm --network none busy sh -c 'grep -c host.containers.internal /etc/hosts || true'
        is "$output" "0" "no_hosts: the image's /etc/hosts, no entries of ours"
        run_engine rm -f c1
}

@test "containers.conf: env is below the image's and -e; user file < \$CONTAINERS_CONF" {
        rootfs_tar "$CUTTLE_TEST_DIR/img.tar"
        run_engine import --change 'ENV IMG=image' --change 'ENV BOTH=image' "$CUTTLE_TEST_DIR/img.tar" envimg
        rm -f "$CUTTLE_TEST_DIR/img.tar"
        mkdir -p "$HOME/.config/containers"
        printf '[containers]\nenv = ["FROMUSER=user", "BOTH=user"]\n' >"$HOME/.config/containers/containers.conf"
        run_engine run --rm envimg env
        assert_line_contains "FROMUSER=user"
        assert_line_contains "BOTH=image" "the image's env wins over containers.conf's"
        assert_line_contains "IMG=image"
        printf '[containers]\nenv = ["CONF=conf", "BOTH=conf", "PATH=/conf/bin:/usr/sbin:/usr/bin:/sbin:/bin"]\n' >"$CUTTLE_TEST_DIR/env.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/env.conf run_engine run --rm -e CONF=flag envimg env
        assert_line_contains "CONF=flag" "-e wins over containers.conf"
        assert_line_contains "BOTH=image"
        assert_line_contains "PATH=/conf/bin:/usr/sbin:/usr/bin:/sbin:/bin" "the image sets no PATH: containers.conf's"
        run grep -c FROMUSER <<<"$output"
        is "$output" 0 "\$CONTAINERS_CONF: the user's file is not read"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/env.conf run_engine create --name e1 envimg true
        run_engine inspect --format '{{range .Config.Env}}{{.}} {{end}}' e1
        is "$output" ".*CONF=conf.*BOTH=image.*"
        run_engine rm e1
}

@test "containers.conf: init_path and --init-path choose the --init binary" {
        make_image busy
        printf '#!/bin/sh\necho conf-init "$@"\n' >"$CUTTLE_TEST_DIR/conf-init"
        printf '#!/bin/sh\necho flag-init "$@"\n' >"$CUTTLE_TEST_DIR/flag-init"
        chmod 755 "$CUTTLE_TEST_DIR/conf-init" "$CUTTLE_TEST_DIR/flag-init"
        printf '[containers]\ninit_path = "%s"\n' "$CUTTLE_TEST_DIR/conf-init" >"$CUTTLE_TEST_DIR/init.conf"
        export CONTAINERS_CONF=$CUTTLE_TEST_DIR/init.conf
        run_engine run --rm --init busy echo hi
        is "$output" "conf-init -- echo hi"
        run_engine run --rm --init --init-path "$CUTTLE_TEST_DIR/flag-init" busy echo hi
        is "$output" "flag-init -- echo hi" "the flag wins over the file"
        run_engine run --rm busy echo hi
        is "$output" "hi" "without --init the binary is not used"
        run_engine 125 run --rm --init --init-path /nonexistent/init busy true
        is "$output" "Error: container-init binary not found on the host: stat /nonexistent/init: No such file or directory"
        run_engine ps -a --format '{{.Names}}'
        is "$output" "" "nothing half-made"
        unset CONTAINERS_CONF
        run_engine run --rm --init busy sh -c 'cat /proc/1/cmdline | tr "\0" " "'
        is "$output" "/run/podman-init -- sh -c .*" "the default: cuttle's own init"
}

@test "containers.conf: default_sysctls, skipped where the namespace is the host's" {
        make_image busy
        run_engine run --rm busy cat /proc/sys/net/ipv4/ping_group_range
        is "$output" "0[[:space:]]+0" "the built-in default"
        printf '[containers]\ndefault_sysctls = ["net.ipv4.ip_unprivileged_port_start=99", "kernel.msgmax=12345"]\n' \
                >"$CUTTLE_TEST_DIR/sysctl.conf"
        export CONTAINERS_CONF=$CUTTLE_TEST_DIR/sysctl.conf
        run_engine run --rm busy sh -c 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ping_group_range'
        is "${lines[0]}" 99
        is "${lines[1]}" 12345
        is "${lines[2]}" "1[[:space:]]+0" "the file's list replaces the built-in one"
        run_engine run --rm --sysctl net.ipv4.ip_unprivileged_port_start=77 busy cat /proc/sys/net/ipv4/ip_unprivileged_port_start
        is "$output" 77 "--sysctl wins"
        host=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
        run_engine run --rm --network host busy sh -c 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/msgmax'
        is "${lines[0]}" "$host" "net.* is skipped with the host's network namespace"
        is "${lines[1]}" 12345
        printf '[containers]\ndefault_sysctls = ["vm.swappiness=1"]\n' >"$CUTTLE_TEST_DIR/sysctl.conf"
        run_engine 125 run --rm busy true
        assert_line_contains "containers.conf default_sysctls"
}

@test "containers.conf: base_hosts_file is the base of /etc/hosts (podman 4.3: \"\" is the host's)" {
        make_image busy etc/hosts="192.0.2.8 imagehost"
        printf '192.0.2.7 basehost\n' >"$CUTTLE_TEST_DIR/base-hosts"
        host_name=$(awk '!/^#/ && NF >= 2 && $2 != "localhost" { print $2; exit }' /etc/hosts)
        if [ -n "$host_name" ]; then
                run_engine run --rm --network none busy cat /etc/hosts
                assert_line_contains $'\t'"$host_name" "the default: the host's /etc/hosts"
        fi
        for v in image none "$CUTTLE_TEST_DIR/base-hosts"; do
                printf '[containers]\nbase_hosts_file = "%s"\n' "$v" >"$CUTTLE_TEST_DIR/hosts.conf"
                CONTAINERS_CONF=$CUTTLE_TEST_DIR/hosts.conf run_engine run --rm --network none busy cat /etc/hosts
                case $v in
                image) assert_line_contains "imagehost" ;;
                none) run grep -c -e imagehost -e basehost <<<"$output"; is "$output" 0 "none: no base file" ;;
                *) assert_line_contains "192.0.2.7	basehost"; run grep -c imagehost <<<"$output"; is "$output" 0 ;;
                esac
        done
        printf '[containers]\nbase_hosts_file = "relative/hosts"\n' >"$CUTTLE_TEST_DIR/hosts.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/hosts.conf run_engine 125 run --rm busy true
        is "$output" "Error: base_hosts_file \"relative/hosts\": must be \"image\", \"none\" or an absolute path"
}

@test "tmp_dir and --tmpdir: the events log; cgroup_manager: only cgroupfs runs containers" {
        make_image busy
        run_engine --tmpdir "$CUTTLE_TEST_DIR/flagtmp" run --rm busy true
        grep -q '"Status":"died"\|"status":"died"' "$CUTTLE_TEST_DIR/flagtmp/events/events.log" ||
                die "no died event under --tmpdir: $(cat "$CUTTLE_TEST_DIR/flagtmp/events/events.log" 2>&1)"
        ! grep -q died "$ENGINE_RUNROOT/events/events.log" 2>/dev/null || die "the events went to the run root"
        run_engine --tmpdir "$CUTTLE_TEST_DIR/flagtmp" events --stream=false --format '{{.Status}}'
        assert_line_contains "died"
        printf '[engine]\ntmp_dir = "%s"\n' "$CUTTLE_TEST_DIR/conftmp" >"$CUTTLE_TEST_DIR/tmp.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/tmp.conf run_engine run --rm busy true
        [ -s "$CUTTLE_TEST_DIR/conftmp/events/events.log" ] || die "tmp_dir not used"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/tmp.conf run_engine --tmpdir "$CUTTLE_TEST_DIR/flagtmp2" run --rm busy true
        [ -s "$CUTTLE_TEST_DIR/flagtmp2/events/events.log" ] || die "--tmpdir does not win over tmp_dir"
        # cgroup_manager
        printf '[engine]\ncgroup_manager = "systemd"\n' >"$CUTTLE_TEST_DIR/cg.conf"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/cg.conf run_engine 125 run --rm busy true
        is "$output" "Error: cgroup manager \"systemd\" is not supported: .*--cgroup-manager cgroupfs.*"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/cg.conf run_engine --cgroup-manager cgroupfs run --rm busy echo ok
        is "$output" ok "the flag wins"
        run_engine ps -a -q
        is "$output" ""
}
