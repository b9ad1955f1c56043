#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The container filesystem commands: cp (both directions, running and stopped containers,
# tar streams, -a, --overwrite, symlink and hostile-tar attacks), diff, export, container
# mount / unmount.

load helpers
load engine

setup() {
        engine_setup
        make_image busy
        H=$CUTTLE_TEST_DIR/host
        mkdir -p "$H"
}

teardown() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" rm -af -t 0 >/dev/null 2>&1 || true
        if [ -n "${SMALL:-}" ]; then
                "$CUTTLE" --root "$SMALL/root" --runroot "$SMALL/run" rm -af -t 0 >/dev/null 2>&1 || true
                "$CUTTLE" --root "$SMALL/root" --runroot "$SMALL/run" rmi -af >/dev/null 2>&1 || true
                while read -r _ mp _; do
                        case $mp in "$SMALL"/*) umount -l "$mp" 2>/dev/null || true ;; esac
                done </proc/self/mounts
                umount -l "$SMALL/root" "$SMALL/dest" 2>/dev/null || true
        fi
        engine_teardown
}

# engine_io IN OUT ARGS…: cuttle with stdin from IN and stdout to OUT (run_engine gives
# commands /dev/null as stdin and keeps their stdout); sets status, and output (stderr).
engine_io() {
        local in=$1 out=$2
        shift 2
        echo "\$ cuttle $* <$in >$out"
        status=0
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" "$@" <"$in" >"$out" \
                2>"$CUTTLE_TEST_DIR/stderr" || status=$?
        output=$(<"$CUTTLE_TEST_DIR/stderr")
        echo "$output [rc=$status]"
}

# The merged root of a container, mounted for a look from the host (unmount it after).
ctr_root() {
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" mount "$1"
}

@test "cp: host file and directory into a stopped container, podman's naming rules" {
        run_engine create --name c1 busy true
        printf 'one\n' >"$H/f1"
        mkdir -p "$H/d/sub"
        printf 'two\n' >"$H/d/sub/f2"
        # file into a directory: keeps its name; to a missing name: takes that name
        run_engine cp "$H/f1" c1:/tmp
        run_engine cp "$H/f1" c1:/tmp/renamed
        # directory into a directory: dest/BASENAME; to a missing name: created; "/." contents
        run_engine cp "$H/d" c1:/tmp
        run_engine cp "$H/d" c1:/newdir
        run_engine cp "$H/d/." c1:/root
        # an existing file is overwritten
        printf 'three\n' >"$H/f3"
        run_engine cp "$H/f3" c1:/tmp/f1
        m=$(ctr_root c1)
        is "$(cat "$m/tmp/f1")" "three"
        is "$(cat "$m/tmp/renamed")" "one"
        is "$(cat "$m/tmp/d/sub/f2")" "two"
        is "$(cat "$m/newdir/sub/f2")" "two"
        is "$(cat "$m/root/sub/f2")" "two"
        run_engine unmount c1
        is "$output" "c1"
        # the storage is not left mounted by cp
        run_engine mount
        is "$output" ""
}

@test "cp: errors as podman's" {
        run_engine create --name c1 busy true
        printf 'x\n' >"$H/f"
        mkdir "$H/d"
        run_engine 125 cp "$H/f" c1:/nonexist/x
        is "$output" 'Error: "/nonexist/x" could not be found on container c1: no such file or directory'
        run_engine 125 cp "$H/f" c1:/tmp/newdir/
        is "$output" 'Error: "/tmp/newdir/" could not be found on container c1: no such file or directory'
        run_engine 125 cp "$H/d" c1:/etc/passwd
        is "$output" "Error: destination must be a directory when copying a directory"
        run_engine 125 cp c1:/nonexist "$H/x"
        is "$output" 'Error: "/nonexist" could not be found on container c1: no such file or directory'
        run_engine 125 cp "$H/nonexist" c1:/tmp
        is "$output" "Error: \"$H/nonexist\" could not be found on the host: no such file or directory"
        run_engine 125 cp c1:/etc/passwd "$H/nodir/x"
        is "$output" "Error: \"$H/nodir/x\" could not be found on the host: no such file or directory"
        run_engine 125 cp nosuch:/x "$H/x"
        is "$output" 'Error: container "nosuch" does not exist'
        run_engine 125 cp "$H/f" "$H/g"
        is "$output" "Error: name or ID cannot be empty"
        run_engine 125 cp only-one-arg
        is "$output" "Error: accepts 2 arg\(s\), received 1"
}

@test "cp: container to host, file and directory; owners become the caller's" {
        run_engine run --name c1 busy sh -c 'mkdir -p /data/sub; echo hi >/data/sub/f; chown -R 1234:5678 /data; ln -s /etc/passwd /data/link'
        run_engine cp c1:/data "$H"
        is "$(cat "$H/data/sub/f")" "hi"
        is "$(stat -c %u:%g "$H/data/sub/f")" "0:0"
        is "$(readlink "$H/data/link")" "/etc/passwd" "symlinks are copied as links"
        run_engine cp c1:/data/sub/f "$H/single"
        is "$(cat "$H/single")" "hi"
        run_engine cp c1:/data/. "$H/contents"
        [ -f "$H/contents/sub/f" ] || die "contents of /data not copied"
}

@test "cp -a: owners become the container user's; -a=false keeps the source's" {
        run_engine create --name c1 -u 1000:1000 busy true
        mkdir -p "$H/d"
        printf 'x\n' >"$H/d/f"
        chown -R 4321:8765 "$H/d"
        run_engine cp "$H/d" c1:/tmp/a
        run_engine cp -a=false "$H/d" c1:/tmp/b
        run_engine cp --archive=false "$H/d/f" c1:/tmp/c
        m=$(ctr_root c1)
        is "$(stat -c %u:%g "$m/tmp/a/f" "$m/tmp/a")" "1000:1000
1000:1000"
        is "$(stat -c %u:%g "$m/tmp/b/f" "$m/tmp/c")" "4321:8765
4321:8765"
        run_engine unmount c1
}

@test "cp --overwrite: a directory replaces a file and the reverse only when asked" {
        run_engine create --name c1 busy true
        mkdir -p "$H/x"
        printf 'file\n' >"$H/y"
        run_engine cp "$H/y" c1:/tmp/x
        mkdir -p "$H/src"
        cp -r "$H/x" "$H/src/x"
        run_engine 125 cp "$H/src/." c1:/tmp
        is "$output" 'Error: .*cannot overwrite non-directory "x" with directory'
        run_engine cp --overwrite "$H/src/." c1:/tmp
        m=$(ctr_root c1)
        [ -d "$m/tmp/x" ] || die "--overwrite did not replace the file with a directory"
        run_engine unmount c1
}

@test "cp: a running container, from its own mount namespace (tmpfs mounts inside it)" {
        run_engine run -d --name r1 busy sleep 100
        printf 'live\n' >"$H/f"
        run_engine cp "$H/f" r1:/root/f
        run_engine exec r1 cat /root/f
        is "$output" "live"
        # /dev is a tmpfs the container mounts for itself: seen only from inside
        run_engine cp "$H/f" r1:/dev/shm-test
        run_engine exec r1 cat /dev/shm-test
        is "$output" "live"
        run_engine exec r1 sh -c 'echo made-inside >/dev/inside'
        run_engine cp r1:/dev/inside "$H/inside"
        is "$(cat "$H/inside")" "made-inside"
        run_engine cp r1:/etc/passwd "$H/pw"
        is "$(head -1 "$H/pw")" "root:x:0:0:root:/root:/bin/sh"
}

@test "cp: tar streams: - as source extracts, - as destination archives" {
        run_engine create --name c1 busy true
        mkdir -p "$H/t/dir"
        printf 'in tar\n' >"$H/t/dir/f"
        tar -C "$H/t" -cf "$H/in.tar" dir
        engine_io "$H/in.tar" /dev/null cp - c1:/tmp
        is "$status" 0
        engine_io /dev/null "$H/out.tar" cp c1:/tmp/dir -
        is "$status" 0
        run tar -tf "$H/out.tar"
        is "$output" "dir/
dir/f"
        mkdir "$H/x"
        tar -C "$H/x" -xf "$H/out.tar"
        is "$(cat "$H/x/dir/f")" "in tar"
        engine_io "$H/in.tar" /dev/null cp - c1:/etc/passwd
        is "$status" 125
        is "$output" "Error: destination must be a directory when copying from stdin"
        engine_io "$H/in.tar" /dev/null cp - c1:/nonexist
        is "$status" 125
        is "$output" "Error: destination must be a directory when copying from stdin"
        # a single file to stdout
        engine_io /dev/null "$H/one.tar" cp c1:/etc/passwd -
        run tar -tf "$H/one.tar"
        is "$output" "passwd"
}

@test "cp: symlinks in the container to host paths never let cp leave the container" {
        run_engine run --name c1 busy sh -c 'ln -s /etc /tmp/abs; ln -s ../../../../../../etc /tmp/rel; echo ctr-secret >/secret; ln -s /secret /tmp/lnk'
        tag=cuttle-cp-attack-$$
        printf 'evil\n' >"$H/$tag"
        run_engine cp "$H/$tag" c1:/tmp/abs/
        run_engine cp "$H/$tag" c1:/tmp/rel/$tag.2
        run_engine cp "$H/$tag" c1:/tmp/abs
        [ ! -e "/etc/$tag" ] && [ ! -e "/etc/$tag.2" ] || die "cp wrote into the host's /etc"
        m=$(ctr_root c1)
        [ -f "$m/etc/$tag" ] && [ -f "$m/etc/$tag.2" ] || die "the copies are not in the container's /etc"
        run_engine unmount c1
        # reading through the links reads the container's files
        run_engine cp c1:/tmp/abs/passwd "$H/pw"
        [ "$(cat "$H/pw")" != "$(cat /etc/passwd)" ] || die "cp read the host's /etc/passwd"
        run_engine cp c1:/tmp/lnk "$H/l"
        is "$(cat "$H/l")" "ctr-secret"
}

@test "cp -: a hostile tar never writes outside the destination" {
        run_engine create --name c1 busy true
        tag=cuttle-tar-attack-$$
        python3 - "$H/evil.tar" "$tag" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
def add(name, data=b"pwn", kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name)
    i.type = kind
    i.linkname = link
    if kind == tarfile.REGTYPE:
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
add("abs", kind=tarfile.SYMTYPE, link="/etc")
add("abs/" + sys.argv[2])
t.close()
EOF
        python3 - "$H/evil2.tar" "$tag" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
i = tarfile.TarInfo("../../../../../../etc/" + sys.argv[2] + ".2")
i.size = 3
t.addfile(i, io.BytesIO(b"pwn"))
t.close()
EOF
        python3 - "$H/evil3.tar" <<'EOF'
import sys, tarfile
t = tarfile.open(sys.argv[1], "w")
i = tarfile.TarInfo("hl")
i.type = tarfile.LNKTYPE
i.linkname = "/etc/shadow"
t.addfile(i)
t.close()
EOF
        engine_io "$H/evil.tar" /dev/null cp - c1:/tmp
        engine_io "$H/evil2.tar" /dev/null cp - c1:/tmp
        is "$status" 125 "a name climbing out of the destination is refused"
        is "$output" "Error: extracting the archive: .*escapes.*"
        engine_io "$H/evil3.tar" /dev/null cp - c1:/tmp
        is "$status" 125 "a hard link to a path outside is refused"
        [ ! -e "/etc/$tag" ] && [ ! -e "/etc/$tag.2" ] || die "a tar stream wrote into the host's /etc"
        m=$(ctr_root c1)
        [ ! -e "$m/etc/$tag" ] || die "the tar followed its own symlink out of the destination"
        if [ -e "$m/tmp/hl" ]; then
                [ "$(stat -c %i "$m/tmp/hl")" != "$(stat -c %i /etc/shadow)" ] || die "hard link to the host's /etc/shadow"
        fi
        run_engine unmount c1
}

@test "diff: A/C/D lines and --format json; the engine's own files are left out" {
        run_engine run --name c1 busy sh -c 'mkdir /tmp/d; echo x >/tmp/d/f; rm /etc/group; echo changed >>/etc/passwd'
        run_engine diff c1
        is "$output" "C /etc
D /etc/group
C /etc/passwd
C /tmp
A /tmp/d
A /tmp/d/f"
        run_engine container diff --format json c1
        is "$output" '{
     "changed": \[
          "/etc",
          "/etc/passwd",
          "/tmp"
     \],
     "added": \[
          "/tmp/d",
          "/tmp/d/f"
     \],
     "deleted": \[
          "/etc/group"
     \]
}'
        run_engine diff --latest
        is "${lines[0]}" "C /etc"
        run_engine image diff busy
        assert_line_contains "A /bin/busybox"
        run_engine 125 diff nosuch
        is "$output" "Error: nosuch not found: layer not known"
        run_engine 125 diff --format yaml c1
        is "$output" "Error: only supported value for '--format' is 'json'"
}

@test "export: the container's root filesystem as a tar, to stdout or -o" {
        run_engine run --name c1 busy sh -c 'echo exported >/root/marker'
        run_engine export -o "$H/c1.tar" c1
        mkdir "$H/x"
        tar -C "$H/x" -xf "$H/c1.tar"
        is "$(cat "$H/x/root/marker")" "exported"
        [ -x "$H/x/bin/busybox" ] || die "the image's files are missing from the export"
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" export c1 >"$H/c1b.tar"
        cmp "$H/c1.tar" "$H/c1b.tar" || die "export to stdout differs from -o"
        run_engine 125 export nosuch
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        [ ! -e "$H/nope.tar" ]
        run_engine 125 export -o "$H/nope.tar" nosuch
        [ ! -e "$H/nope.tar" ] || die "a failed export left its file"
        # the storage of a stopped container is not left mounted
        run_engine mount
        is "$output" ""
}

@test "container mount / unmount: list, --format json, --no-trunc, a running container" {
        run_engine create --name c1 busy true
        cid=$output
        run_engine mount
        is "$output" ""
        run_engine container mount c1
        path=$output
        [ -x "$path/bin/busybox" ] || die "nothing mounted at $path"
        run_engine mount
        is "$output" "${cid:0:12}  $path"
        run_engine mount --no-trunc
        is "$output" "$cid  $path"
        run_engine mount --format json
        is "$(jq -r '.[0].id + " " + .[0].Names[0] + " " + .[0].mountpoint' <<<"$output")" "$cid c1 $path"
        # a cp does not take the user's mount away
        printf 'x\n' >"$H/f"
        run_engine cp "$H/f" c1:/tmp/f
        [ -f "$path/tmp/f" ] || die "the user's mount went away"
        run_engine container unmount c1
        is "$output" "c1"
        run_engine umount c1
        is "$output" "c1"
        run_engine mount
        is "$output" ""
        run_engine 125 mount nosuch
        is "$output" 'Error: no container with name or ID "nosuch" found: no such container'
        # a running container is listed while it runs
        run_engine run -d --name r1 busy sleep 100
        rid=$output
        run_engine mount
        assert_line_contains "${rid:0:12}"
        run_engine unmount --all
        run_engine exec r1 true
}

# Disk full.  podman extracts cp's archive in place: on ENOSPC it stops with "no space left
# on device" (exit 125) and leaves the partial file, truncating a file it was replacing.
# cuttle gives the same error and exit code, but writes each file under a temporary name and
# renames it into place only when complete, and removes what it made when the copy fails: a
# file that was there keeps its content, nothing new is left half-written.
@test "cp: a full disk in the container's storage: podman's error, no partial file, nothing lost" {
        SMALL=$CUTTLE_TEST_DIR/small
        mkdir -p "$SMALL/root" "$SMALL/run"
        mount -t tmpfs -o size=24m tmpfs "$SMALL/root"
        S=("$CUTTLE" --root "$SMALL/root" --runroot "$SMALL/run")
        rootfs_tar "$CUTTLE_TEST_DIR/small.tar"
        "${S[@]}" import "$CUTTLE_TEST_DIR/small.tar" busy >/dev/null
        "${S[@]}" create --name c1 busy cat /etc/keep >/dev/null
        echo old-content >"$H/keep"
        "${S[@]}" cp "$H/keep" c1:/etc/keep
        head -c 30000000 /dev/urandom >"$H/big"
        mkdir -p "$H/tree/sub"
        echo small >"$H/tree/a"
        cp "$H/big" "$H/tree/sub/zbig"
        for dst in /big /etc/keep /tree; do
                src=$H/big
                [ "$dst" = /tree ] && src=$H/tree
                run "${S[@]}" cp "$src" "c1:$dst"
                echo "$output"
                [ "$status" -eq 125 ] || die "cp to $dst on a full disk: exit $status, expected 125"
                [[ ${output,,} == error:*"no space left on device"* ]] || die "unexpected error: $output"
        done
        # nothing half-made: neither the new file nor the new tree
        mnt=$("${S[@]}" mount c1)
        [ ! -e "$mnt/big" ] && [ ! -e "$mnt/tree" ] || die "partial copy left: $(ls -la "$mnt" "$mnt/tree" 2>&1)"
        is "$(ls -A "$mnt/etc" | grep -c cuttle)" 0 "no temporary file left"
        "${S[@]}" unmount c1 >/dev/null
        # nothing lost, the container still works and takes a copy that fits
        run "${S[@]}" start -a c1
        is "$output" "old-content"
        echo fits >"$H/fits"
        "${S[@]}" cp "$H/fits" c1:/etc/keep
        run "${S[@]}" start -a c1
        is "$output" "fits"
        "${S[@]}" rm -f c1 >/dev/null
        "${S[@]}" rmi -af >/dev/null
        umount "$SMALL/root"
        SMALL=
}

@test "cp: a full disk on the host side: podman's error, no partial file, nothing lost" {
        SMALL=$CUTTLE_TEST_DIR/small
        mkdir -p "$SMALL/dest"
        mount -t tmpfs -o size=4m tmpfs "$SMALL/dest"
        echo old-content >"$SMALL/dest/keep"
        head -c 6000000 /dev/urandom >"$H/big"
        run_engine create --name c1 busy true
        run_engine cp "$H/big" c1:/big
        run_engine 125 cp c1:/big "$SMALL/dest/new"
        [[ ${output,,} == error:*"no space left on device"* ]] || die "unexpected error: $output"
        run_engine 125 cp c1:/big "$SMALL/dest/keep"
        [[ ${output,,} == error:*"no space left on device"* ]] || die "unexpected error: $output"
        is "$(ls -A "$SMALL/dest")" "keep" "no partial or temporary file left"
        is "$(cat "$SMALL/dest/keep")" "old-content" "the file that was there is whole"
        run_engine cp c1:/etc/passwd "$SMALL/dest/fits"
        [ -f "$SMALL/dest/fits" ] || die "a copy that fits fails after a full disk"
        umount "$SMALL/dest"
        SMALL=
}
