#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Volumes and mounts: volume create|ls|inspect|rm|prune|exists|mount|unmount|export|import,
# -v (named, host path, anonymous; ro/rw, z/Z, U, O, exec/suid/dev, propagation, nocopy),
# --mount (bind, volume, tmpfs, image, devpts), --tmpfs, --volumes-from, --read-only-tmpfs,
# the image's VOLUMEs (copy-up, ownership), rm -v / run --rm, inspect/ps; attacks (".." in
# destinations, symlinks in the image and as sources) and podman's errors for bad input.

load helpers
load engine

setup() {
        engine_setup
        make_image busy
        HOSTDIR=$CUTTLE_TEST_DIR/host
        mkdir -p "$HOSTDIR"
        echo host-content >"$HOSTDIR/file"
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        if [ -n "${SMALL:-}" ]; then
                while read -r _ mp _; do
                        case $mp in "$SMALL"/*) umount -l "$mp" 2>/dev/null || true ;; esac
                done </proc/self/mounts
                umount -l "$SMALL" 2>/dev/null || true
        fi
        engine_teardown
}

# An image NAME from the busybox rootfs plus extra tar entries made by the function
# given as $2 in a scratch directory ($1 of that function), with --change arguments after.
make_image_with() {
        local name=$1 fn=$2 d tarf
        shift 2
        d=$(mktemp -d "$CUTTLE_TEST_DIR/extra.XXXXXX")
        tarf=$CUTTLE_TEST_DIR/imgx.tar
        rootfs_tar "$tarf"
        "$fn" "$d"
        (cd "$d" && tar --numeric-owner -rf "$tarf" .) || die "appending to the image tarball"
        rm -rf "$d"
        run_engine import "$@" "$tarf" "$name"
        rm -f "$tarf"
}

_owned_dir() {
        mkdir -p "$1/srv/data"
        echo seeded >"$1/srv/data/seed"
        chown -R 1234:5678 "$1/srv/data"
        chmod 0710 "$1/srv/data"
        chown 0:0 "$1/srv" "$1"
        chmod 0755 "$1/srv" "$1"
}

_evil_link() {
        mkdir -p "$1/srv"
        ln -s ../../../../../../../../etc "$1/srv/evil"
        chmod 0755 "$1" "$1/srv"
}

mountpoint_of() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" volume inspect --format '{{.Mountpoint}}' "$1"
}

@test "volume create, ls, inspect, exists, rm: podman's output and errors" {
        run_engine volume ls
        is "$output" "" "no header without volumes, as podman"
        run_engine volume create v1
        is "$output" "v1"
        run_engine 125 volume create v1
        is "$output" "Error: volume with name v1 already exists: volume already exists"
        run_engine volume create --ignore v1
        is "$output" "v1"
        run_engine volume create --label a=b --label c -o type=tmpfs -o device=tmpfs -o o=nodev v2
        run_engine volume inspect v2
        run jq -r '.[0] | "\(.Name) \(.Driver) \(.Labels.a) \(.Labels.c) \(.Options.type) \(.Options.o) \(.Scope) \(.MountCount)"' <<<"$output"
        is "$output" "v2 local b  tmpfs nodev local 0"
        run_engine volume inspect --format '{{.Mountpoint}}' v1
        is "$output" "$ENGINE_ROOT/volumes/v1/_data"
        [ -d "$ENGINE_ROOT/volumes/v1/_data" ] || die "no _data directory"
        run_engine volume ls
        is "${lines[0]}" "DRIVER +VOLUME NAME"
        is "${lines[1]}" "local +v1"
        is "${lines[2]}" "local +v2"
        run_engine volume ls -q --filter label=a=b
        is "$output" "v2"
        run_engine volume ls --format '{{.Name}}:{{.Driver}}' --filter name=v1
        is "$output" "v1:local"
        run_engine volume ls --format json
        run jq -r '.[].Name' <<<"$output"
        is "$output" "v1.v2"
        run_engine volume inspect --format '{{.Name}} {{.Anonymous}} {{.NeedsCopyUp}}' v1
        is "$output" "v1 false true"
        run_engine volume exists v1
        run_engine 1 volume exists nosuch
        run_engine 125 volume inspect nosuch
        is "$output" "\[\]
Error: inspecting object: no such volume nosuch"
        run_engine 125 volume create -o foo=bar v3
        is "$output" "Error: invalid mount option foo for driver 'local': invalid argument"
        run_engine 125 volume create 'bad@name'
        is "$output" "Error: running volume create option: names must match \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]\*: invalid argument"
        run_engine 1 volume exists v3
        run_engine 1 volume rm nosuch
        is "$output" 'Error: no volume with name "nosuch" found: no such volume'
        run_engine volume rm v1 v2
        is "$output" "v1.v2"
        [ ! -e "$ENGINE_ROOT/volumes/v1" ] || die "volume directory left behind"
        run_engine volume create
        is "$output" "[0-9a-f]{64}"
}

@test "named volume: data persists across containers, lands in _data, is nosuid,nodev" {
        run_engine run --rm -v data:/d busy sh -c 'echo one >/d/f; grep " /d " /proc/self/mountinfo'
        is "$output" ".* /d rw,nosuid,nodev.*"
        run_engine run --rm -v data:/d:ro busy sh -c 'cat /d/f; touch /d/g 2>&1; true'
        is "${lines[0]}" "one"
        is "${lines[1]}" ".*Read-only file system"
        is "$(cat "$ENGINE_ROOT/volumes/data/_data/f")" "one"
        run_engine volume ls -q
        is "$output" "data" "a named volume is made at create"
        # -v takes exact names: "da" is a new volume, not a prefix of "data"
        run_engine run --rm -v da:/d busy ls /d
        is "$output" ""
        run_engine volume ls -q
        is "$output" "da.data"
}

@test "volume rm of a volume in use: refused (2), --force removes its containers" {
        run_engine run -d --name user -v used:/d busy sleep 100
        cid=$output
        run_engine 2 volume rm used
        is "$output" "Error: volume used is being used by the following container\(s\): $cid: volume is being used"
        run_engine volume exists used
        run_engine volume rm -f -t 0 used
        is "$output" "used"
        run_engine ps -aq
        is "$output" "" "the container using it is gone"
        run_engine 1 volume exists used
}

@test "volume prune removes unused volumes only" {
        run_engine volume create keep
        run_engine volume create gone
        run_engine volume create --label x=1 labelled
        run_engine create --name holder -v keep:/k busy true
        run_engine volume prune -f --filter label=x=1
        is "$output" "labelled"
        run_engine volume prune -f
        is "$output" "gone"
        run_engine volume ls -q
        is "$output" "keep"
}

@test "image VOLUME: anonymous volume with copy-up and the directory's owner and mode" {
        make_image_with owned _owned_dir --change 'VOLUME /srv/data'
        run_engine run --name c1 owned sh -c 'cat /srv/data/seed; stat -c "%u:%g %a" /srv/data; echo new >/srv/data/n'
        is "${lines[0]}" "seeded"
        is "${lines[1]}" "1234:5678 710"
        run_engine volume ls -q
        vol=$output
        is "$vol" "[0-9a-f]{64}"
        mp=$(mountpoint_of "$vol")
        is "$(stat -c '%u:%g %a' "$mp")" "1234:5678 710" "the host side has the owner and mode"
        is "$(cat "$mp/seed") $(cat "$mp/n")" "seeded new"
        run_engine volume inspect --format '{{.NeedsCopyUp}} {{.NeedsChown}}' "$vol"
        is "$output" "false false"
        run_engine inspect --format '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}' c1
        is "$output" "volume $vol /srv/data true"
        # rm -v takes the anonymous volume along
        run_engine rm -v c1
        run_engine volume ls -q
        is "$output" ""
        # run --rm too; a named volume stays
        run_engine run --rm -v named:/n owned true
        run_engine volume ls -q
        is "$output" "named"
}

@test "nocopy: the image's files are not copied into a new volume" {
        make_image_with owned _owned_dir
        run_engine run --rm -v nc:/srv/data:nocopy owned ls /srv/data
        is "$output" ""
        run_engine run --rm -v cp:/srv/data owned ls /srv/data
        is "$output" "seed"
        run_engine run --rm --mount type=volume,src=nc2,dst=/srv/data,volume-nocopy owned ls /srv/data
        is "$output" ""
}

@test "-v host path: rw and ro, content both ways, missing path is podman's error" {
        run_engine run --rm -v "$HOSTDIR:/h" busy sh -c 'cat /h/file; echo back >/h/back'
        is "$output" "host-content"
        is "$(cat "$HOSTDIR/back")" "back"
        run_engine run --rm -v "$HOSTDIR:/h:ro" busy sh -c 'touch /h/x 2>&1; true'
        is "$output" ".*Read-only file system"
        [ ! -e "$HOSTDIR/x" ] || die "wrote through a read-only mount"
        run_engine 125 run --rm -v "$CUTTLE_TEST_DIR/nonexist:/h" busy true
        is "$output" "Error: statfs $CUTTLE_TEST_DIR/nonexist: no such file or directory"
        run_engine ps -aq
        is "$output" "" "nothing half-made"
}

@test "-v options: noexec, suid, dev, z/Z accepted; propagation sets the root propagation" {
        run_engine run --rm -v "$HOSTDIR:/h:noexec,nosuid,nodev,Z" busy grep " /h " /proc/self/mountinfo
        is "$output" ".* /h rw,nosuid,nodev,noexec.*"
        run_engine run --rm -v "$HOSTDIR:/h:z" busy grep " /h " /proc/self/mountinfo
        is "$output" ".* /h rw,relatime.*"
        run_engine create --name p -v "$HOSTDIR:/h:rslave" busy true
        run_engine start p
        run jq -r '.linux.rootfsPropagation' "$ENGINE_ROOT/containers/$(cat_id p)/userdata/config.json"
        is "$output" "rslave"
        run_engine inspect --format '{{range .Mounts}}{{.Propagation}}{{end}}' p
        is "$output" "rslave"
}

cat_id() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" inspect --format '{{.Id}}' "$1"
}

@test "-v U: the source is chowned to the container user, recursively" {
        mkdir -p "$HOSTDIR/sub"
        echo x >"$HOSTDIR/sub/f"
        run_engine run --rm -u 1000:1001 -v "$HOSTDIR:/h:U" busy sh -c 'echo w >/h/sub/w && stat -c %u:%g /h /h/sub/f'
        is "${lines[0]}" "1000:1001"
        is "${lines[1]}" "1000:1001"
        is "$(stat -c %u:%g "$HOSTDIR/sub/f")" "1000:1001"
        run_engine run --rm -u 1000:1001 --tmpfs /t:U busy stat -c %u:%g /t
        is "$output" "1000:1001"
}

@test "-v O: an overlay on the source; changes discarded or kept in upperdir" {
        run_engine run --rm -v "$HOSTDIR:/h:O" busy sh -c 'echo changed >/h/file; cat /h/file'
        is "$output" "changed"
        is "$(cat "$HOSTDIR/file")" "host-content" "the host source is not written"
        mkdir -p "$CUTTLE_TEST_DIR/up" "$CUTTLE_TEST_DIR/wk"
        run_engine run --rm -v "$HOSTDIR:/h:O,upperdir=$CUTTLE_TEST_DIR/up,workdir=$CUTTLE_TEST_DIR/wk" busy sh -c 'echo kept >/h/new'
        is "$(cat "$CUTTLE_TEST_DIR/up/new")" "kept"
        [ ! -e "$HOSTDIR/new" ] || die "overlay wrote to the lower directory"
        run_engine 125 run --rm -v "$HOSTDIR:/h:O,upperdir=$CUTTLE_TEST_DIR/up" busy true
        is "$output" 'Error: must set both `upperdir` and `workdir`'
        run_engine 125 run --rm -v "$HOSTDIR:/h:O,upperdir=,workdir=/x" busy true
        is "$output" "Error: cannot accept empty value for upperdir"
}

@test "--mount: bind, volume, tmpfs, devpts with their keys" {
        run_engine run --rm --mount "type=bind,source=$HOSTDIR,target=/b,readonly" busy sh -c 'cat /b/file; grep " /b " /proc/self/mountinfo'
        is "${lines[0]}" "host-content"
        is "${lines[1]}" ".* /b ro,.*"
        run_engine run --rm --mount "type=bind,src=$HOSTDIR,dst=/b,ro=false,bind-propagation=rprivate" busy sh -c 'echo m >/b/m'
        is "$(cat "$HOSTDIR/m")" "m"
        run_engine run --rm --mount type=volume,src=mv,dst=/v busy sh -c 'echo in >/v/f'
        is "$(cat "$ENGINE_ROOT/volumes/mv/_data/f")" "in"
        run_engine run --rm --mount type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700 busy grep " /t " /proc/self/mountinfo
        is "$output" ".* /t rw,nosuid,nodev.* tmpfs tmpfs rw,size=1024k,mode=700.*"
        run_engine run --rm --mount type=devpts,destination=/dev/pts2 busy grep " /dev/pts2 " /proc/self/mountinfo
        is "$output" ".* /dev/pts2 .* - devpts devpts .*"
}

@test "--mount type=image: read-only from the image store, rw=true on a throw-away upper" {
        run_engine run --rm --mount type=image,source=busy,destination=/img busy sh -c 'ls /img/bin/busybox; touch /img/x 2>&1; true'
        is "${lines[0]}" "/img/bin/busybox"
        is "${lines[1]}" ".*Read-only file system"
        run_engine run --rm --mount type=image,src=busy,dst=/img,rw=true busy sh -c 'touch /img/x && echo wrote'
        is "$output" "wrote"
        run_engine 1 run --rm --mount type=image,src=busy,dst=/img busy ls /img/x
        run_engine 125 run --rm --mount type=image,src=nosuchimage,dst=/img busy true
        is "$output" "Error: creating image volume nosuchimage:/img: .*"
}

@test "--tmpfs and --read-only-tmpfs" {
        run_engine run --rm --tmpfs /t:size=2m busy grep " /t " /proc/self/mountinfo
        is "$output" ".* /t rw,nosuid,nodev.* tmpfs tmpfs rw,size=2048k.*"
        run_engine run --rm --read-only busy sh -c 'touch /tmp/ok /run/ok /var/tmp/ok && echo ok; touch /etc/no 2>&1; true'
        is "${lines[0]}" "ok"
        is "${lines[1]}" ".*Read-only file system"
        run_engine run --rm --read-only --read-only-tmpfs=false busy sh -c 'touch /tmp/no 2>&1; true'
        is "$output" ".*Read-only file system"
        run_engine 125 run --rm --tmpfs rel busy true
        is "$output" 'Error: invalid container path "rel", must be an absolute path'
}

@test "--volumes-from: the other container's volumes and binds, ro/rw" {
        run_engine create --name src -v shared:/s -v "$HOSTDIR:/h" busy true
        run_engine run --rm --volumes-from src busy sh -c 'echo hi >/s/f; cat /h/file'
        is "$output" "host-content"
        run_engine run --rm --volumes-from src:ro busy sh -c 'cat /s/f; touch /s/g 2>&1; true'
        is "${lines[0]}" "hi"
        is "${lines[1]}" ".*Read-only file system"
        run_engine inspect --format '{{.HostConfig.VolumesFrom}}' src
        is "$output" "\[\]"
        run_engine 125 run --rm --volumes-from nosuch busy true
        is "$output" "Error: looking up container nosuch for --volumes-from: .*no such container"
}

@test "mounts are ordered so that none covers a later one" {
        mkdir -p "$CUTTLE_TEST_DIR/inner"
        echo inner >"$CUTTLE_TEST_DIR/inner/f"
        run_engine run --rm -v "$CUTTLE_TEST_DIR/inner:/a/b/c" -v "$HOSTDIR:/a" busy sh -c 'cat /a/b/c/f /a/file'
        is "$output" "inner.host-content"
}

@test "inspect Mounts and HostConfig.Binds, ps Mounts (podman's shapes)" {
        run_engine create --name m -v named:/n -v "$HOSTDIR:/h:ro" --tmpfs /t busy true
        run_engine inspect --format '{{json .Mounts}}' m
        run jq -c '[.[] | {Type, Name, Destination, Driver, RW, Propagation, Options}]' <<<"$output"
        is "$output" '\[{"Type":"volume","Name":"named","Destination":"/n","Driver":"local","RW":true,"Propagation":"rprivate","Options":\["rbind","nosuid","nodev"\]},{"Type":"bind","Name":null,"Destination":"/h","Driver":"","RW":false,"Propagation":"rprivate","Options":\["rbind"\]}\]'
        run_engine inspect --format '{{json .HostConfig.Binds}}' m
        is "$output" "\[\"named:/n:rw,rprivate,nosuid,nodev,rbind\",\"$HOSTDIR:/h:ro,rprivate,rbind\"\]"
        run_engine inspect --format '{{json .HostConfig.Tmpfs}}' m
        is "$output" '{"/t":"rw"}'
        run_engine ps -a --format '{{.Mounts}}'
        is "$output" "\[/n /h\]"
}

@test "attack: '..' in a destination is cleaned and stays inside the container" {
        run_engine run --rm -v "$HOSTDIR:/x/../../../../y" busy sh -c 'cat /y/file; grep -c " /y " /proc/self/mountinfo'
        is "$output" "host-content.1"
        run_engine run --rm --tmpfs /../../../../tmp/t busy grep -c " /tmp/t " /proc/self/mountinfo
        is "$output" "1"
        [ ! -e "$ENGINE_ROOT/y" ] && [ ! -e "$CUTTLE_TEST_DIR/y" ] && [ ! -e /y ] || die "a mount point was made outside"
}

@test "attack: a symlink in the image at the destination cannot lead to the host's /etc" {
        make_image_with evil _evil_link
        marker=cuttle-vol-test-$$
        [ ! -e "/etc/$marker" ] || die "marker already there"
        run_engine run --rm -v "$HOSTDIR:/srv/evil/$marker" evil sh -c "cat /etc/$marker/file"
        is "$output" "host-content" "the mount lands in the container's /etc"
        [ ! -e "/etc/$marker" ] || { rm -rf "/etc/$marker"; die "a mount point was made in the host's /etc"; }
        # an anonymous volume there: copy-up reads the container's /etc, not the host's
        run_engine run --rm -v /srv/evil busy true
        run_engine run --name cu -v /srv/evil evil ls /srv/evil/hostname
        run_engine volume ls -q
        vol=$output
        mp=$(mountpoint_of "$vol")
        run cat "$mp/hostname"
        is "$status" "0"
        mkdir -p "$CUTTLE_TEST_DIR/u"
        run_engine run --rm -u 1000:1000 -v "$CUTTLE_TEST_DIR/u:/srv/evil/u:U" evil stat -c %u /etc/u
        is "$output" "1000"
        is "$(stat -c %u:%g /etc)" "0:0" "the host's /etc keeps its owner"
        [ ! -e /etc/u ] || die "a mount point was made in the host's /etc"
}

@test "attack: a volume source that is a symlink is resolved at create and shown resolved" {
        ln -s "$HOSTDIR" "$CUTTLE_TEST_DIR/link"
        run_engine create --name l -v "$CUTTLE_TEST_DIR/link:/h" busy cat /h/file
        run_engine inspect --format '{{range .Mounts}}{{.Source}}{{end}}' l
        is "$output" "$HOSTDIR"
        # swapping the link afterwards does not redirect the mount
        rm "$CUTTLE_TEST_DIR/link"
        ln -s /etc "$CUTTLE_TEST_DIR/link"
        run_engine start -a l
        is "$output" "host-content"
}

@test "volume with driver options: tmpfs mounted while used, then unmounted; mount/unmount" {
        run_engine volume create -o type=tmpfs -o device=tmpfs -o o=size=1m,mode=0750 tv
        run_engine run --rm -v tv:/d busy sh -c 'grep " /d " /proc/self/mountinfo; echo x >/d/f'
        is "$output" ".* /d rw,nosuid,nodev.* - tmpfs tmpfs rw,size=1024k,mode=750.*"
        mp=$(mountpoint_of tv)
        ! grep -q " $mp " /proc/self/mountinfo || die "the volume stays mounted after the container"
        run_engine volume mount tv
        is "$output" "$mp"
        grep -q " $mp " /proc/self/mountinfo || die "volume mount did not mount"
        run_engine volume unmount tv
        is "$output" "tv"
        ! grep -q " $mp " /proc/self/mountinfo || die "volume unmount did not unmount"
        run_engine volume inspect --format '{{.MountCount}}' tv
        is "$output" "0"
}

@test "volume export and import: round trip; a bad archive changes nothing" {
        run_engine run --rm -v ex:/d busy sh -c 'mkdir /d/dir; echo one >/d/dir/f; ln -s dir/f /d/l'
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" volume export ex >"$CUTTLE_TEST_DIR/ex.tar"
        run tar -tf "$CUTTLE_TEST_DIR/ex.tar"
        is "$(sort <<<"$output" | tr '\n' ' ')" "dir/ dir/f l "
        run_engine volume create im
        run_engine volume import im "$CUTTLE_TEST_DIR/ex.tar"
        mp=$(mountpoint_of im)
        is "$(cat "$mp/dir/f") $(readlink "$mp/l")" "one dir/f"
        printf 'not a tar archive at all, just some bytes that go on and on%0600d' 0 >"$CUTTLE_TEST_DIR/bad.tar"
        run_engine 125 volume import im "$CUTTLE_TEST_DIR/bad.tar"
        is "$(ls "$mp" | tr '\n' ' ')" "dir l " "nothing changed"
        run_engine 125 volume import im "$CUTTLE_TEST_DIR/nonexist.tar"
        is "$output" "Error: open $CUTTLE_TEST_DIR/nonexist.tar: no such file or directory"
        run_engine 125 volume export nosuch
        is "$output" "Error: no such volume nosuch"
}

@test "bad -v and --mount input: podman's errors, nothing made" {
        run_engine 125 run --rm -v "$HOSTDIR:rel" busy true
        is "$output" 'Error: invalid container path "rel", must be an absolute path'
        run_engine 125 run --rm -v "$HOSTDIR:/x:foo" busy true
        is "$output" 'Error: invalid option type "foo"'
        run_engine 125 run --rm -v "$HOSTDIR:/x:ro,rw" busy true
        is "$output" "Error: invalid options \"ro, rw\", can only specify 1 'rw' or 'ro' option"
        run_engine 125 run --rm -v a:b:c:d busy true
        is "$output" "Error: a:b:c:d: incorrect volume format, should be \[host-dir:\]ctr-dir\[:option\]"
        run_engine 125 run --rm -v "$HOSTDIR:/x" -v "$HOSTDIR:/x" busy true
        is "$output" "Error: /x: duplicate mount destination"
        run_engine 125 run --rm -v ":/x" busy true
        is "$output" "Error: host directory cannot be empty"
        run_engine 125 run --rm -v "$HOSTDIR:/x:idmap" busy true
        is "$output" "Error: /x: idmapped mounts need a user namespace with mappings (--uidmap or --userns auto)"
        run_engine 125 run --rm --mount "type=foo,src=$HOSTDIR,dst=/x" busy true
        is "$output" 'Error: invalid filesystem type "foo"'
        run_engine 125 run --rm --mount "type=bind,src=$HOSTDIR" busy true
        is "$output" "Error: must set volume destination"
        run_engine 125 run --rm --mount "type=bind,src=$HOSTDIR,dst=/x,bogus=1" busy true
        is "$output" "Error: bogus: invalid mount option"
        run_engine 125 run --rm --mount "dst=/x" busy true
        is "$output" "Error: incorrect mount format: .*"
        run_engine 125 run --rm -v 'bad@name:/x' busy true
        is "$output" 'Error: creating named volume "bad@name": running volume create option: names must match .*'
        run_engine 125 run --rm -v good:/x -v "$CUTTLE_TEST_DIR/nonexist:/y" busy true
        run_engine ps -aq
        is "$output" ""
        run_engine volume ls -q
        is "$output" "" "a volume made for a create that failed is removed again"
}

# The overlay and image mounts of a container under ENGINE_ROOT (none expected).
_ctr_mounts() {
        awk -v r="$ENGINE_ROOT/containers/" 'index($5, r) == 1 && $5 !~ /\/merged$/ {print $5}' /proc/self/mountinfo
}

@test "overlay and image mounts: made at start, undone when the container exits, idempotently" {
        run_engine run -d --name ov -v "$HOSTDIR:/h:O" --mount type=image,src=busy,dst=/img busy sleep 100
        run _ctr_mounts
        [ "${#lines[@]}" -eq 2 ] || die "expected 2 mounts while running, got: $output"
        run_engine stop -t 0 ov
        for _ in $(seq 50); do
                [ -z "$(_ctr_mounts)" ] && break
                sleep 0.1
        done
        is "$(_ctr_mounts)" "" "the exit's cleanup undid the mounts"
        run_engine container cleanup ov
        run_engine container cleanup ov
        # started again, then killed without a stop: rm still leaves nothing
        run_engine start ov
        run _ctr_mounts
        [ "${#lines[@]}" -eq 2 ] || die "expected 2 mounts after restart, got: $output"
        run_engine rm -f -t 0 ov
        is "$(_ctr_mounts)" "" "rm undid the mounts"
}

@test "--volumepath: volumes live where it says" {
        run_engine --volumepath "$CUTTLE_TEST_DIR/vols" volume create vp
        [ -d "$CUTTLE_TEST_DIR/vols/vp/_data" ] || die "no _data under --volumepath"
        run_engine --volumepath "$CUTTLE_TEST_DIR/vols" run --rm -v vp:/d busy sh -c 'echo x >/d/f'
        is "$(cat "$CUTTLE_TEST_DIR/vols/vp/_data/f")" "x"
        [ ! -e "$ENGINE_ROOT/volumes/vp" ] || die "made under the root as well"
        run_engine --volumepath "$CUTTLE_TEST_DIR/vols" volume rm vp
        [ ! -e "$CUTTLE_TEST_DIR/vols/vp" ] || die "volume rm left the directory"
}

# podman 4.3 extracts `volume import` in place: on ENOSPC it stops with "no space left on
# device" (exit 125) and leaves the files written so far.  cuttle stages the archive beside
# the data and moves it in only when complete: the same error, nothing from the archive left.
@test "volume import: a full disk leaves the volume as it was, and usable" {
        SMALL=$CUTTLE_TEST_DIR/smallvols
        mkdir -p "$SMALL"
        mount -t tmpfs -o size=8m tmpfs "$SMALL"
        V=(--volumepath "$SMALL")
        run_engine "${V[@]}" volume create full
        run_engine "${V[@]}" run --rm -v full:/d busy sh -c 'echo old >/d/keep; mkdir /d/dir; echo x >/d/dir/x'
        mkdir -p "$CUTTLE_TEST_DIR/src/dir"
        echo new >"$CUTTLE_TEST_DIR/src/keep"
        echo first >"$CUTTLE_TEST_DIR/src/dir/aaa"
        head -c 12000000 /dev/urandom >"$CUTTLE_TEST_DIR/src/dir/zbig"
        tar -C "$CUTTLE_TEST_DIR/src" -cf "$CUTTLE_TEST_DIR/big.tar" keep dir
        run_engine 125 "${V[@]}" volume import full "$CUTTLE_TEST_DIR/big.tar"
        [[ ${output,,} == error:*"no space left on device"* ]] || die "unexpected error: $output"
        mp=$("$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "${V[@]}" volume inspect --format '{{.Mountpoint}}' full)
        is "$(cd "$mp" && find . | sort | tr '\n' ' ')" ". ./dir ./dir/x ./keep " "nothing from the archive"
        is "$(cat "$mp/keep")" "old"
        is "$(ls -A "$SMALL/full")" "_data" "no staging left"
        # still usable: a write and an import that fit
        run_engine "${V[@]}" run --rm -v full:/d busy sh -c 'echo more >/d/more; cat /d/keep'
        is "$output" "old"
        rm "$CUTTLE_TEST_DIR/src/dir/zbig"
        tar -C "$CUTTLE_TEST_DIR/src" -cf "$CUTTLE_TEST_DIR/small.tar" keep dir
        run_engine "${V[@]}" volume import full "$CUTTLE_TEST_DIR/small.tar"
        is "$(cat "$mp/keep") $(cat "$mp/dir/aaa") $(cat "$mp/more")" "new first more"
        run_engine "${V[@]}" volume rm full
        umount "$SMALL"
        SMALL=
}
