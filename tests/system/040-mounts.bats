#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2016 # jq filters and container scripts use $ inside single quotes
#
# cuttle-runtime: the mounts, the root, masked and read-only paths, rootfs propagation and
# the device nodes, each checked from inside the container (probe mount-opts, stat, cat…).

load helpers

# Host mount points a test made itself (under $CUTTLE_TEST_DIR), one a line: unmounted
# before cuttle_teardown looks for leftovers.
HOST_MOUNTS_FILE=

setup() {
        cuttle_setup
        HOST_MOUNTS_FILE=$CUTTLE_TEST_DIR/host-mounts
}

teardown() {
        local mp
        if [ -n "$HOST_MOUNTS_FILE" ] && [ -f "$HOST_MOUNTS_FILE" ]; then
                # Latest first.
                while read -r mp; do
                        umount -l "$mp" 2>/dev/null || true
                done < <(tac "$HOST_MOUNTS_FILE")
        fi
        cuttle_teardown
}

# host_mount ARGS… MOUNTPOINT: mount on the host, remembered for teardown.
host_mount() {
        local mp=${*: -1}
        mount "$@" || die "host mount failed: mount $*"
        echo "$mp" >>"$HOST_MOUNTS_FILE"
}

# add_mount JSON: append a mount to the bundle's mounts.
add_mount() {
        bundle_jq '.mounts += [$m]' --argjson m "$1"
}

# ctr_sh [RC] SCRIPT: run the bundle with process.args = sh -c SCRIPT (rc 0 unless given).
ctr_sh() {
        local rc=0
        if [ $# -gt 1 ]; then
                rc=$1
                shift
        fi
        bundle_jq '.process.args = ["sh", "-c", $s]' --arg s "$1"
        run_runtime "$rc" run --bundle "$BUNDLE" "$CID"
}

# has_opt OPTS OPT: OPT is one of the comma-separated OPTS.
has_opt() {
        [[ ,$1, == *",$2,"* ]] || die "mount options '$1' do not include '$2'"
}

# lacks_opt OPTS OPT: OPT is not one of the comma-separated OPTS.
lacks_opt() {
        [[ ,$1, != *",$2,"* ]] || die "mount options '$1' include '$2'"
}

# mountinfo_line MOUNTPOINT: the last line of $output (a mountinfo) for MOUNTPOINT.
mountinfo_line() {
        local l found='' f
        for l in "${lines[@]}"; do
                read -r -a f <<<"$l"
                [ "${f[4]:-}" = "$1" ] && found=$l
        done
        [ -n "$found" ] || die "no mountinfo line for $1 in: $output"
        echo "$found"
}

# ---------------------------------------------------------------------------- file systems

@test "cuttle-runtime mounts: proc is the container's own procfs" {
        ctr_sh 'probe mount-type /proc; probe mount-opts /proc; probe ls /proc; probe pid'
        is "${lines[0]}" "proc" "fstype of /proc"
        has_opt "${lines[1]}" rw
        # A procfs of the container's pid namespace: pid 1 is there, and it is us.
        assert_line_contains "self"
        local l found=0
        for l in "${lines[@]}"; do
                [ "$l" = 1 ] && found=1
        done
        [ $found = 1 ] || die "/proc does not list pid 1: $output"
        is "${lines[-1]}" "pid=1 ppid=0" "the probe is pid 1 of its pid namespace"
}

@test "cuttle-runtime mounts: sysfs is read-only with nosuid,nodev,noexec" {
        ctr_sh 'probe mount-type /sys; probe mount-opts /sys; probe ls /sys/kernel >/dev/null && echo listed
                probe write /sys/kernel/cuttle-test x; true'
        is "${lines[0]}" "sysfs" "fstype of /sys"
        local o
        for o in ro nosuid nodev noexec; do
                has_opt "${lines[1]}" "$o"
        done
        is "${lines[2]}" "listed" "/sys/kernel is readable"
        is "${lines[3]}" "probe: open /sys/kernel/cuttle-test: Read-only file system" \
                "writing into a read-only sysfs"
}

@test "cuttle-runtime mounts: tmpfs honours size= and mode=" {
        add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "nodev", "size=2m", "mode=1750"]}'
        ctr_sh 'probe mount-type /data; probe mount-opts /data; probe stat /data
                dd if=/dev/zero of=/data/big bs=1M count=3 2>/dev/null; echo dd=$?; rm /data/big
                probe write /data/small hello && probe cat /data/small; echo'
        is "${lines[0]}" "tmpfs" "fstype of /data"
        has_opt "${lines[1]}" "size=2048k"
        has_opt "${lines[1]}" "mode=1750"
        has_opt "${lines[1]}" nosuid
        has_opt "${lines[1]}" nodev
        is "${lines[2]}" "dir 1750 0 0 0 0" "mode of the tmpfs root"
        is "${lines[3]}" "dd=1" "3 MiB do not fit in a 2 MiB tmpfs"
        is "${lines[4]}" "hello" "a small file fits"
        # The tmpfs lived only in the container.
        [ ! -e "$BUNDLE/rootfs/data/small" ] || die "the tmpfs content leaked into the rootfs"
}

@test "cuttle-runtime mounts: devpts is a new instance, /dev/ptmx points into it" {
        ctr_sh 'probe mount-type /dev/pts; probe mount-opts /dev/pts; probe stat /dev/ptmx
                readlink /dev/ptmx; probe stat /dev/pts/ptmx'
        is "${lines[0]}" "devpts" "fstype of /dev/pts"
        has_opt "${lines[1]}" "ptmxmode=666"
        has_opt "${lines[1]}" "mode=620"
        has_opt "${lines[1]}" "gid=5"
        has_opt "${lines[1]}" nosuid
        has_opt "${lines[1]}" noexec
        is "${lines[2]}" "symlink *" "/dev/ptmx is a symlink"
        is "${lines[3]}" "pts/ptmx" "/dev/ptmx target"
        # The new instance's own ptmx (5:2) with the configured ptmxmode.
        is "${lines[4]}" "char 0666 0 0 5 2" "/dev/pts/ptmx"
}

@test "cuttle-runtime mounts: mqueue and the /dev/shm tmpfs" {
        ctr_sh 'probe mount-type /dev/mqueue; probe mount-opts /dev/mqueue
                probe mount-type /dev/shm; probe mount-opts /dev/shm; probe stat /dev/shm'
        is "${lines[0]}" "mqueue" "fstype of /dev/mqueue"
        local o
        for o in nosuid nodev noexec; do
                has_opt "${lines[1]}" "$o"
        done
        is "${lines[2]}" "tmpfs" "fstype of /dev/shm"
        has_opt "${lines[3]}" "size=65536k"
        is "${lines[4]}" "dir 1777 0 0 0 0" "mode of /dev/shm"
}

@test "cuttle-runtime mounts: cgroup (v1) shows the container's own cgroup, read-only" {
        [ -d /sys/fs/cgroup/memory ] || skip "this test is for a cgroup v1 (hybrid) host"
        bundle_jq '.linux.resources.memory = {"limit": 50331648}'
        ctr_sh 'probe ls /sys/fs/cgroup; echo --
                probe cat /sys/fs/cgroup/memory/memory.limit_in_bytes
                probe mount-opts /sys/fs/cgroup/memory
                probe write /sys/fs/cgroup/memory/memory.limit_in_bytes 1; true'
        local c
        for c in memory pids cpu devices freezer; do
                if [ -d "/sys/fs/cgroup/$c" ]; then
                        assert_line_contains "$c"
                fi
        done
        local i=0
        while [ "${lines[i]}" != "--" ]; do
                i=$((i + 1))
        done
        is "${lines[i + 1]}" "50331648" "memory.limit_in_bytes seen inside (cgroup namespace)"
        has_opt "${lines[i + 2]}" ro
        is "${lines[i + 3]}" "probe: open /sys/fs/cgroup/memory/memory.limit_in_bytes: Read-only file system" \
                "the cgroup mount is read-only"
}

@test "cuttle-runtime mounts: cgroup (v1) without a cgroup namespace binds the container's dirs" {
        [ -d /sys/fs/cgroup/memory ] || skip "this test is for a cgroup v1 (hybrid) host"
        bundle_jq '.linux.namespaces |= map(select(.type != "cgroup"))
                   | .linux.resources.memory = {"limit": 50331648}
                   | .linux.resources.pids = {"limit": 77}'
        ctr_sh 'probe cat /sys/fs/cgroup/memory/memory.limit_in_bytes
                probe cat /sys/fs/cgroup/pids/pids.max; probe mountinfo'
        is "${lines[0]}" "50331648" "memory.limit_in_bytes inside"
        is "${lines[1]}" "77" "pids.max inside"
        local l
        l=$(mountinfo_line /sys/fs/cgroup/memory)
        [[ $l == *" /cuttle/$CID /sys/fs/cgroup/memory "* ]] ||
                die "/sys/fs/cgroup/memory is not a bind of /cuttle/$CID: $l"
        [[ $l == *" ro,"* ]] || die "/sys/fs/cgroup/memory is not read-only: $l"
}

# ---------------------------------------------------------------------------- binds

@test "cuttle-runtime mounts: bind of a host directory and a host file" {
        mkdir "$CUTTLE_TEST_DIR/hostdir"
        echo "from the host" >"$CUTTLE_TEST_DIR/hostdir/file"
        echo "a single file" >"$CUTTLE_TEST_DIR/hostfile"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/hostdir" \
                '{destination: "/mnt/dir", type: "bind", source: $s, options: ["bind"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/hostfile" \
                '{destination: "/mnt/single", type: "none", source: $s, options: ["rbind", "rw"]}')"
        ctr_sh 'probe cat /mnt/dir/file; probe cat /mnt/single; probe stat /mnt/single
                probe write /mnt/dir/new "written inside"'
        is "${lines[0]}" "from the host" "host directory content"
        is "${lines[1]}" "a single file" "host file content"
        is "${lines[2]}" "file 0644 *" "a file bind is a file"
        is "$(cat "$CUTTLE_TEST_DIR/hostdir/new")" "written inside" \
                "a write through a rw bind reaches the host"
}

@test "cuttle-runtime mounts: rbind brings sub-mounts, bind does not" {
        mkdir -p "$CUTTLE_TEST_DIR/src/sub"
        echo "under the sub-mount" >"$CUTTLE_TEST_DIR/src/sub/hidden"
        host_mount -t tmpfs -o size=1m tmpfs "$CUTTLE_TEST_DIR/src/sub"
        echo "on the sub-mount" >"$CUTTLE_TEST_DIR/src/sub/marker"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/src" \
                '{destination: "/r", type: "bind", source: $s, options: ["rbind"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/src" \
                '{destination: "/b", type: "bind", source: $s, options: ["bind"]}')"
        ctr_sh 'probe ls /r/sub; echo --; probe ls /b/sub'
        is "$output" $'marker\n--\nhidden' "rbind shows the tmpfs, bind the directory under it"
}

@test "cuttle-runtime mounts: rro and rnoexec reach sub-mounts, plain ro does not" {
        mkdir -p "$CUTTLE_TEST_DIR/src/sub"
        host_mount -t tmpfs -o size=1m tmpfs "$CUTTLE_TEST_DIR/src/sub"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/src" \
                '{destination: "/rro", type: "bind", source: $s, options: ["rbind", "rro", "rnoexec"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/src" \
                '{destination: "/ro", type: "bind", source: $s, options: ["rbind", "ro"]}')"
        ctr_sh 'probe mount-opts /rro/sub; probe mount-opts /ro; probe mount-opts /ro/sub
                probe write /rro/sub/x y; probe write /ro/sub/x y && echo sub-writable'
        has_opt "${lines[0]}" ro
        has_opt "${lines[0]}" noexec
        has_opt "${lines[1]}" ro
        has_opt "${lines[2]}" rw
        is "${lines[3]}" "probe: open /rro/sub/x: Read-only file system" "rro on the sub-mount"
        is "${lines[4]}" "sub-writable" "ro is not recursive"
}

@test "cuttle-runtime mounts: recursive atime options (rnoatime, ratime, rnostrictatime)" {
        mkdir -p "$CUTTLE_TEST_DIR/src/sub"
        host_mount -t tmpfs -o size=1m,noatime tmpfs "$CUTTLE_TEST_DIR/src/sub"
        local opt
        for opt in ratime rnostrictatime; do
                add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/src" --arg d "/$opt" --arg o "$opt" \
                        '{destination: $d, type: "bind", source: $s, options: ["rbind", $o]}')"
        done
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/src" \
                '{destination: "/rnoatime", type: "bind", source: $s, options: ["rbind", "rnoatime"]}')"
        ctr_sh 'probe mount-opts /ratime/sub; probe mount-opts /rnostrictatime/sub
                probe mount-opts /rnoatime'
        # Clearing noatime (or strictatime) leaves the default, relatime.
        has_opt "${lines[0]}" relatime
        lacks_opt "${lines[0]}" noatime
        has_opt "${lines[1]}" relatime
        has_opt "${lines[2]}" noatime
}

@test "cuttle-runtime mounts: tmpfs with tmpcopyup starts with what it covers" {
        add_mount '{"destination": "/etc", "type": "tmpfs", "source": "tmpfs",
                    "options": ["tmpcopyup", "size=1m"]}'
        ctr_sh 'probe mount-type /etc; probe cat /etc/hosts | head -n 1; probe stat /etc/passwd
                probe write /etc/new x && echo written'
        is "${lines[0]}" "tmpfs" "fstype of /etc"
        is "${lines[1]}" $'127.0.0.1\tlocalhost' "a copied file"
        is "${lines[2]}" "file 0644 0 0 0 0" "the mode of a copied file"
        is "${lines[3]}" "written" "the tmpfs is writable"
        [ ! -e "$BUNDLE/rootfs/etc/new" ] || die "a write went through the tmpfs to the rootfs"
}

@test "cuttle-runtime mounts: nothing but procfs on /proc, no mounts inside /proc" {
        echo "fake" >"$CUTTLE_TEST_DIR/fake"
        cp "$BUNDLE/config.json" "$CUTTLE_TEST_DIR/config.orig"
        bundle_jq '.mounts += [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]'
        run_in_container 1 probe id
        assert_line_contains '"/proc" cannot be mounted because it is not of type proc'

        cp "$CUTTLE_TEST_DIR/config.orig" "$BUNDLE/config.json"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/fake" \
                '{destination: "/proc/self/environ", type: "bind", source: $s, options: ["bind"]}')"
        run_in_container 1 probe id
        assert_line_contains 'cannot be mounted because it is inside /proc'

        # The files lxcfs emulates are allowed.
        cp "$CUTTLE_TEST_DIR/config.orig" "$BUNDLE/config.json"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/fake" \
                '{destination: "/proc/uptime", type: "bind", source: $s, options: ["bind"]}')"
        run_in_container 0 probe cat /proc/uptime
        is "$output" "fake" "a bind over /proc/uptime"
}

@test "cuttle-runtime mounts: ro bind refuses writes with EROFS" {
        mkdir "$CUTTLE_TEST_DIR/hostdir"
        echo "keep" >"$CUTTLE_TEST_DIR/hostdir/file"
        echo "keep" >"$CUTTLE_TEST_DIR/hostfile"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/hostdir" \
                '{destination: "/ro", type: "bind", source: $s, options: ["rbind", "ro"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/hostfile" \
                '{destination: "/rofile", type: "bind", source: $s, options: ["bind", "ro"]}')"
        ctr_sh 'probe mount-opts /ro; probe cat /ro/file
                probe write /ro/file changed; probe write /ro/new x; probe write /rofile changed
                true'
        has_opt "${lines[0]}" ro
        is "${lines[1]}" "keep" "readable"
        is "${lines[2]}" "probe: open /ro/file: Read-only file system" "overwrite a file"
        is "${lines[3]}" "probe: open /ro/new: Read-only file system" "create a file"
        is "${lines[4]}" "probe: open /rofile: Read-only file system" "overwrite a file bind"
        is "$(cat "$CUTTLE_TEST_DIR/hostdir/file")" "keep" "the host file is unchanged"
        is "$(cat "$CUTTLE_TEST_DIR/hostfile")" "keep" "the host file is unchanged"
        [ ! -e "$CUTTLE_TEST_DIR/hostdir/new" ] || die "a file was created through a ro bind"
}

@test "cuttle-runtime mounts: nosuid, nodev, noexec on a bind; noexec blocks exec" {
        mkdir "$CUTTLE_TEST_DIR/bin"
        cp "$PROBE" "$CUTTLE_TEST_DIR/bin/probe2"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/bin" \
                '{destination: "/noexec", type: "bind", source: $s,
                  options: ["rbind", "nosuid", "nodev", "noexec"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/bin" \
                '{destination: "/exec", type: "bind", source: $s, options: ["rbind"]}')"
        ctr_sh 'probe mount-opts /noexec; probe mount-opts /exec
                /exec/probe2 exit 7; echo exec=$?
                /noexec/probe2 exit 7; echo noexec=$?'
        local o
        for o in nosuid nodev noexec; do
                has_opt "${lines[0]}" "$o"
                lacks_opt "${lines[1]}" "$o"
        done
        assert_line_contains "exec=7"
        assert_line_contains "Permission denied"
        assert_line_contains "noexec=126"
}

@test "cuttle-runtime mounts: bind propagation rslave receives host mounts, rprivate does not" {
        mkdir -p "$CUTTLE_TEST_DIR/prop/sub"
        # A shared mount of our own, so that the host side has a peer group to propagate from.
        host_mount --bind "$CUTTLE_TEST_DIR/prop" "$CUTTLE_TEST_DIR/prop"
        mount --make-shared "$CUTTLE_TEST_DIR/prop"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/prop" \
                '{destination: "/slave", type: "bind", source: $s, options: ["rbind", "rslave"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/prop" \
                '{destination: "/private", type: "bind", source: $s, options: ["rbind", "rprivate"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/prop" \
                '{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rshared"]}')"
        bundle_jq '.process.args = ["sh", "-c", $s]' --arg s '
                probe mountinfo > /tmp/mountinfo
                : > /tmp/ready
                while [ ! -e /slave/go ]; do sleep 0.05; done
                probe ls /slave/sub; echo --; probe ls /private/sub'
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        local out=$CUTTLE_OUTPUT_FILE
        run_runtime 0 start "$CID"
        wait_for_file "$BUNDLE/rootfs/tmp/ready"
        host_mount -t tmpfs -o size=1m tmpfs "$CUTTLE_TEST_DIR/prop/sub"
        touch "$CUTTLE_TEST_DIR/prop/sub/marker" "$CUTTLE_TEST_DIR/prop/go"
        wait_for_status "$CID" stopped
        run cat "$out"
        is "$output" $'marker\n--' "the host's new mount reaches rslave, not rprivate"

        run cat "$BUNDLE/rootfs/tmp/mountinfo"
        local l
        l=$(mountinfo_line /slave)
        [[ $l == *" master:"* ]] || die "/slave is not a slave: $l"
        [[ $l != *" shared:"* ]] || die "/slave is shared: $l"
        l=$(mountinfo_line /private)
        [[ $l != *" master:"* && $l != *" shared:"* ]] || die "/private is not private: $l"
        l=$(mountinfo_line /shared)
        [[ $l == *" shared:"* ]] || die "/shared is not shared: $l"
        run_runtime 0 delete "$CID"
}

@test "cuttle-runtime mounts: a bind destination through a symlink to /etc stays in the rootfs" {
        local name=cuttle-$CID
        echo "bound" >"$CUTTLE_TEST_DIR/hostfile"
        mkdir -p "$BUNDLE/rootfs/mnt"
        ln -s /etc "$BUNDLE/rootfs/mnt/abs"
        ln -s ../../../../../../../../etc "$BUNDLE/rootfs/mnt/rel"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/hostfile" --arg d "/mnt/abs/$name-abs" \
                '{destination: $d, type: "bind", source: $s, options: ["bind"]}')"
        add_mount "$(jq -n --arg s "$CUTTLE_TEST_DIR/hostfile" --arg d "/mnt/rel/$name-rel" \
                '{destination: $d, type: "bind", source: $s, options: ["bind"]}')"
        ctr_sh "probe cat /etc/$name-abs; probe cat /etc/$name-rel"
        is "$output" $'bound\nbound' "the binds landed on the container's /etc"
        [ ! -e "/etc/$name-abs" ] || { rm -f "/etc/$name-abs"; die "host /etc/$name-abs was created"; }
        [ ! -e "/etc/$name-rel" ] || { rm -f "/etc/$name-rel"; die "host /etc/$name-rel was created"; }
        [ -f "$BUNDLE/rootfs/etc/$name-abs" ] || die "no mount point in the rootfs' /etc"
        [ -f "$BUNDLE/rootfs/etc/$name-rel" ] || die "no mount point in the rootfs' /etc"
}

@test "cuttle-runtime mounts: a relative bind source is resolved against the bundle" {
        mkdir "$BUNDLE/data" "$CUTTLE_TEST_DIR/cwd" "$CUTTLE_TEST_DIR/cwd/data"
        echo "bundle" >"$BUNDLE/data/which"
        echo "cwd" >"$CUTTLE_TEST_DIR/cwd/data/which"
        add_mount '{"destination": "/data", "type": "bind", "source": "data", "options": ["rbind"]}'
        bundle_jq '.process.args = ["probe", "cat", "/data/which"]'
        cd "$CUTTLE_TEST_DIR/cwd"
        run_runtime 0 run --bundle "$BUNDLE" "$CID"
        is "$output" "bundle" "the source is \$BUNDLE/data, not ./data"
}

# ---------------------------------------------------------------------------- root, paths

@test "cuttle-runtime mounts: root.readonly makes / read-only, other mounts stay writable" {
        bundle_jq '.root.readonly = true'
        ctr_sh 'probe mount-opts /; probe write /newfile x; probe write /tmp/newfile x
                probe write /dev/shm/ok yes && probe cat /dev/shm/ok; echo'
        has_opt "${lines[0]}" ro
        is "${lines[1]}" "probe: open /newfile: Read-only file system" "write to /"
        is "${lines[2]}" "probe: open /tmp/newfile: Read-only file system" "write to /tmp"
        is "${lines[3]}" "yes" "/dev/shm is still writable"
        [ ! -e "$BUNDLE/rootfs/newfile" ] || die "a file was created in a read-only root"
}

@test "cuttle-runtime mounts: maskedPaths: a file reads empty, a directory is empty" {
        echo "secret" >"$BUNDLE/rootfs/etc/secret"
        mkdir "$BUNDLE/rootfs/secrets"
        echo "secret" >"$BUNDLE/rootfs/secrets/one"
        bundle_jq '.linux.maskedPaths += ["/etc/secret", "/secrets", "/does/not/exist"]'
        ctr_sh 'echo "[$(probe cat /etc/secret)]"; echo "[$(probe ls /secrets)]"
                probe write /secrets/new x; probe stat /etc/secret; probe stat /proc/keys
                probe ls /sys/firmware | wc -l; probe mount-type /secrets'
        is "${lines[0]}" "[]" "a masked file reads empty"
        is "${lines[1]}" "[]" "a masked directory is empty"
        is "${lines[2]}" "probe: open /secrets/new: Read-only file system" \
                "a masked directory is read-only"
        is "${lines[3]}" "char 0666 0 0 1 3" "a masked file is /dev/null"
        is "${lines[4]}" "char 0666 0 0 1 3" "/proc/keys (default maskedPaths) is /dev/null"
        is "${lines[5]}" "0" "/sys/firmware (default maskedPaths) is empty"
        is "${lines[6]}" "tmpfs" "a masked directory is a tmpfs"
        is "$(cat "$BUNDLE/rootfs/etc/secret")" "secret" "the masked file itself is unchanged"
}

@test "cuttle-runtime mounts: readonlyPaths refuse writes with EROFS" {
        mkdir "$BUNDLE/rootfs/rodir"
        bundle_jq '.linux.readonlyPaths += ["/rodir", "/does/not/exist"]'
        ctr_sh 'probe write /rodir/x y; probe write /tmp/x y && echo tmp-ok
                probe write /proc/sys/kernel/hostname x; probe mount-opts /proc/sys
                probe mount-opts /rodir'
        is "${lines[0]}" "probe: open /rodir/x: Read-only file system" "readonlyPaths entry"
        is "${lines[1]}" "tmp-ok" "the rest of the rootfs is writable"
        is "${lines[2]}" "probe: open /proc/sys/kernel/hostname: Read-only file system" \
                "/proc/sys (default readonlyPaths)"
        has_opt "${lines[3]}" ro
        has_opt "${lines[4]}" ro
}

@test "cuttle-runtime mounts: rootfsPropagation sets the propagation of /" {
        local prop
        for prop in shared private; do
                bundle_jq '.linux.rootfsPropagation = $p' --arg p "$prop"
                bundle_jq '.process.args = ["probe", "mountinfo"]'
                run_runtime 0 run --bundle "$BUNDLE" "$CID-$prop"
                local root
                root=$(mountinfo_line /)
                case $prop in
                shared) [[ $root == *" shared:"* ]] || die "/ is not shared: $root" ;;
                private) [[ $root != *" shared:"* && $root != *" master:"* ]] ||
                                die "/ is not private: $root" ;;
                esac
        done
        bundle_jq '.linux.rootfsPropagation = "bogus"'
        run_runtime 1 run --bundle "$BUNDLE" "$CID"
        assert_line_contains 'rootfsPropagation'
}

# ---------------------------------------------------------------------------- devices

@test "cuttle-runtime devices: the default nodes exist with the right numbers and modes" {
        ctr_sh 'for d in null zero full random urandom tty; do probe stat /dev/$d; done
                for l in fd stdin stdout stderr; do readlink /dev/$l; done
                echo hi > /dev/null && echo null-ok
                head -c 4 /dev/zero | wc -c'
        is "${lines[0]}" "char 0666 0 0 1 3" "/dev/null"
        is "${lines[1]}" "char 0666 0 0 1 5" "/dev/zero"
        is "${lines[2]}" "char 0666 0 0 1 7" "/dev/full"
        is "${lines[3]}" "char 0666 0 0 1 8" "/dev/random"
        is "${lines[4]}" "char 0666 0 0 1 9" "/dev/urandom"
        is "${lines[5]}" "char 0666 0 0 5 0" "/dev/tty"
        is "${lines[6]}" "/proc/self/fd" "/dev/fd"
        is "${lines[7]}" "/proc/self/fd/0" "/dev/stdin"
        is "${lines[8]}" "/proc/self/fd/1" "/dev/stdout"
        is "${lines[9]}" "/proc/self/fd/2" "/dev/stderr"
        is "${lines[10]}" "null-ok" "/dev/null is writable"
        is "${lines[11]}" "4" "/dev/zero is readable"
}

@test "cuttle-runtime devices: linux.devices entries get their type, numbers, owner and mode" {
        bundle_jq '.linux.devices = [
                {"path": "/dev/cuttle-null", "type": "c", "major": 1, "minor": 3,
                 "fileMode": 416, "uid": 1000, "gid": 100},
                {"path": "/dev/sub/dir/loopx", "type": "b", "major": 7, "minor": 200,
                 "fileMode": 384},
                {"path": "/dev/cuttle-fifo", "type": "p", "fileMode": 420, "uid": 12, "gid": 34},
                {"path": "/dev/cuttle-zero", "type": "c", "major": 1, "minor": 5, "fileMode": 384}]'
        ctr_sh 'probe stat /dev/cuttle-null; probe stat /dev/sub/dir/loopx
                probe stat /dev/cuttle-fifo; probe stat /dev/cuttle-zero
                head -c 3 /dev/cuttle-zero | wc -c
                echo x > /dev/cuttle-null || echo write-refused'
        is "${lines[0]}" "char 0640 1000 100 1 3" "/dev/cuttle-null (0640, 1000:100)"
        is "${lines[1]}" "block 0600 0 0 7 200" "/dev/sub/dir/loopx (0600, default owner)"
        is "${lines[2]}" "fifo 0644 12 34 0 0" "/dev/cuttle-fifo"
        is "${lines[3]}" "char 0600 0 0 1 5" "/dev/cuttle-zero"
        is "${lines[4]}" "3" "the device works"
        # root without CAP_DAC_OVERRIDE is "other" for a 0640 node of 1000:100
        assert_line_contains "Permission denied"
        is "${lines[-1]}" "write-refused" "the owner and mode are enforced"
}

@test "cuttle-runtime devices: deny all + allow one device: another device gets EPERM" {
        bundle_jq '.linux.devices = [
                {"path": "/dev/allowed", "type": "c", "major": 10, "minor": 200, "fileMode": 438},
                {"path": "/dev/denied", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
        bundle_jq '.linux.resources.devices = [
                {"allow": false, "access": "rwm"},
                {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw"}]'
        ctr_sh 'probe cat /dev/denied; echo; probe cat /dev/allowed; echo
                probe cat /dev/null && echo null-ok'
        is "${lines[0]}" "probe: open /dev/denied: Operation not permitted" \
                "a device outside the rules"
        # Opening works (reading an unattached tun fails, or the driver is absent):
        # only the device cgroup would say EPERM.
        [[ ${lines[1]} != *"Operation not permitted"* ]] ||
                die "the allowed device was refused: ${lines[1]}"
        is "${lines[2]}" "null-ok" "the default allow list still applies"
}

@test "cuttle-runtime devices: without linux.resources the device cgroup still denies" {
        bundle_jq 'del(.linux.resources) | .linux.devices = [
                {"path": "/dev/denied", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
        ctr_sh 'probe cat /dev/denied; probe cat /dev/null && echo null-ok'
        is "${lines[0]}" "probe: open /dev/denied: Operation not permitted" \
                "a device outside the default allow list"
        is "${lines[1]}" "null-ok" "the default allow list"
}

@test "cuttle-runtime devices: the device cgroup holds the rules (devices.list)" {
        [ -d /sys/fs/cgroup/devices ] || skip "no devices cgroup (v1) on this host"
        bundle_jq '.linux.resources.devices = [
                {"allow": false, "access": "rwm"},
                {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw"}]'
        bundle_args probe sleep 600
        run_runtime 0 create --bundle "$BUNDLE" "$CID"
        run cat "/sys/fs/cgroup/devices/cuttle/$CID/devices.list"
        assert_line_contains "c 10:200 rw"
        assert_line_contains "c 1:3 rwm"
        local l
        for l in "${lines[@]}"; do
                [ "$l" != "a *:* rwm" ] || die "the device cgroup allows everything: $output"
        done
        run_runtime 0 delete --force "$CID"
}
