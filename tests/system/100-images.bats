#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Image store commands: import, images, inspect, history, tag/untag, rmi, prune, exists,
# mount/unmount, save/load (docker-archive, oci-archive) and hostile archives.

load helpers
load engine

setup() { engine_setup; }
teardown() { engine_teardown; }

# store_files: every blob, layer and staging entry in the store (to compare before/after).
store_files() {
        (cd "$ENGINE_ROOT" && find blobs layers tmp containers -mindepth 1 -maxdepth 2 2>/dev/null | sort)
}

@test "import: a rootfs tarball becomes localhost/NAME:latest" {
        make_image busy
        is "${lines[-1]}" "sha256:[0-9a-f]{64}" "import prints the image ID"
        run_engine images
        is "${lines[0]}" "REPOSITORY +TAG +IMAGE ID +CREATED +SIZE" "header"
        is "${lines[1]}" "localhost/busy +latest +${IMAGE_ID:0:12} +(Less than a second|[0-9]+ seconds) ago +[0-9.]+ MB"
        run_engine images -q
        is "$output" "${IMAGE_ID:0:12}"
        run_engine images --no-trunc --format '{{.ID}}'
        is "$output" "sha256:$IMAGE_ID"
}

@test "import: --change and --message go into the image config" {
        rootfs_tar "$CUTTLE_TEST_DIR/r.tar"
        run_engine import --change 'CMD ["/bin/echo", "hi"]' --change 'ENV A=b C=d' \
                --change 'WORKDIR /tmp' --change 'USER 1000' --change 'EXPOSE 8080 53/udp' \
                --change 'LABEL k=v' --change 'VOLUME /data' --change 'STOPSIGNAL SIGINT' \
                --change 'ENTRYPOINT /bin/sh' -m "my message" "$CUTTLE_TEST_DIR/r.tar" chg
        run_engine image inspect chg --format '{{json .Config}}'
        is "$(jq -c .Cmd <<<"$output")" '["/bin/echo","hi"]'
        is "$(jq -c .Env <<<"$output")" '["A=b","C=d"]'
        is "$(jq -r .WorkingDir <<<"$output")" /tmp
        is "$(jq -r .User <<<"$output")" 1000
        is "$(jq -c '.ExposedPorts|keys' <<<"$output")" '["53/udp","8080/tcp"]'
        is "$(jq -r .Labels.k <<<"$output")" v
        is "$(jq -c '.Volumes|keys' <<<"$output")" '["/data"]'
        is "$(jq -r .StopSignal <<<"$output")" SIGINT
        is "$(jq -c .Entrypoint <<<"$output")" '["/bin/sh","-c","/bin/sh"]'
        run_engine image inspect chg --format '{{.Comment}}'
        is "$output" "my message"
        run_engine 125 import --change 'BOGUS x' "$CUTTLE_TEST_DIR/r.tar" bad
        assert_line_contains 'invalid change "BOGUS x"'
        run_engine 1 image exists bad
}

@test "import: from stdin" {
        rootfs_tar "$CUTTLE_TEST_DIR/r.tar"
        run bash -c "'$CUTTLE' --root '$ENGINE_ROOT' --runroot '$ENGINE_RUNROOT' import - fromstdin < '$CUTTLE_TEST_DIR/r.tar'"
        is "$status" 0
        is "${lines[-1]}" "sha256:[0-9a-f]{64}"
        run_engine image exists fromstdin
}

@test "import: a corrupt tarball fails and leaves the store as it was" {
        make_image keep
        before=$(store_files)
        head -c 70000 /bin/busybox >"$CUTTLE_TEST_DIR/junk.tar"
        run_engine 125 import "$CUTTLE_TEST_DIR/junk.tar" junk
        is "$(store_files)" "$before" "no blob, layer or staging directory left"
        run_engine 1 image exists junk
        run_engine images -q
        is "$output" "${IMAGE_ID:0:12}"
        run_engine 125 import "$CUTTLE_TEST_DIR/does-not-exist.tar" x
}

@test "tag, untag, images --format and --digests" {
        make_image one
        run_engine tag one foo/bar:v1 other
        run_engine images --format '{{.Repository}}:{{.Tag}}' --sort repository
        is "$output" $'localhost/foo/bar:v1\nlocalhost/one:latest\nlocalhost/other:latest'
        run_engine images --format 'table {{.ID}} {{.Repository}}'
        is "${lines[0]}" "IMAGE ID +REPOSITORY"
        run_engine images --format json
        is "$(jq -r '.[0].Id' <<<"$output")" "$IMAGE_ID"
        is "$(jq -r '.[0].Names|length' <<<"$output")" 3
        is "$(jq -r '.[0].Digest' <<<"$output")" "sha256:[0-9a-f]{64}"
        run_engine images --digests
        is "${lines[0]}" "REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE"
        run_engine untag one foo/bar:v1
        run_engine images --format '{{.Repository}}' --sort repository
        is "$output" $'localhost/one\nlocalhost/other'
        run_engine 125 untag one nonexist:latest
        assert_line_contains "localhost/nonexist:latest: tag not known"
        run_engine untag one
        run_engine images --format '{{.Repository}}:{{.Tag}}'
        is "$output" "<none>:<none>" "an image without names is listed as <none>"
        run_engine 125 tag nosuchimage x
        assert_line_contains "nosuchimage: image not known"
}

@test "images --filter: dangling, reference, label, before, since" {
        make_image first
        first=$IMAGE_ID
        sleep 1
        rootfs_tar "$CUTTLE_TEST_DIR/r.tar" etc/marker=2
        run_engine import --change 'LABEL tier=web' "$CUTTLE_TEST_DIR/r.tar" second
        second=${lines[-1]#sha256:}
        run_engine images -q --filter label=tier=web
        is "$output" "${second:0:12}"
        run_engine images -q --filter reference=first
        is "$output" "${first:0:12}"
        run_engine images -q --filter 'reference=*ond'
        is "$output" "${second:0:12}"
        run_engine images -q --filter before=second
        is "$output" "${first:0:12}"
        run_engine images -q --filter since=first
        is "$output" "${second:0:12}"
        run_engine images -q --filter dangling=true
        is "$output" ""
        run_engine untag first
        run_engine images -q --filter dangling=true
        is "$output" "${first:0:12}"
        run_engine 125 images --filter bogus=1
        assert_line_contains "bogus"
}

@test "image inspect, history and exists" {
        make_image insp
        run_engine image inspect insp
        is "$(jq -r '.[0].Id' <<<"$output")" "$IMAGE_ID"
        is "$(jq -r '.[0].RepoTags[0]' <<<"$output")" "localhost/insp:latest"
        is "$(jq -r '.[0].RootFS.Type' <<<"$output")" layers
        is "$(jq -r '.[0].Os' <<<"$output")" linux
        is "$(jq -r '.[0].Architecture' <<<"$output")" amd64
        run_engine image inspect --format '{{.Id}} {{.Size}}' insp
        is "$output" "$IMAGE_ID [0-9]+"
        run_engine 125 image inspect nope
        assert_line_contains "nope: image not known"
        run_engine image history insp
        is "${lines[0]}" "ID +CREATED +CREATED BY +SIZE +COMMENT"
        is "${lines[1]}" "${IMAGE_ID:0:12} .*/bin/sh -c #\(nop\) ADD file:.*"
        run_engine image exists insp
        run_engine 1 image exists nope
        run_engine image exists "${IMAGE_ID:0:8}"
}

@test "rmi: by name, by ID, -f, -a, missing" {
        make_image a1
        run_engine tag a1 a2
        run_engine rmi a2
        is "$output" "Untagged: localhost/a2:latest" "a name of an image with others is only untagged"
        run_engine rmi a1
        is "${lines[0]}" "Untagged: localhost/a1:latest"
        is "${lines[1]}" "Deleted: $IMAGE_ID"
        run_engine images -q
        is "$output" ""
        is "$(store_files | grep -c '^layers/.*/')" 0 "no layer left"
        is "$(store_files | grep -c '^blobs/sha256/')" 0 "no blob left"
        run_engine 1 rmi a1
        assert_line_contains "a1: image not known"
        make_image b1
        make_image b2 etc/x=1
        run_engine rmi -a
        run_engine images -q
        is "$output" ""
        run_engine rmi -f nothing-here
}

@test "image prune: dangling images, -a all unused" {
        make_image keepme
        rootfs_tar "$CUTTLE_TEST_DIR/r.tar" etc/dangle=1
        run_engine import "$CUTTLE_TEST_DIR/r.tar"
        dangling=${lines[-1]#sha256:}
        run_engine image prune -f
        is "$output" "$dangling"
        run_engine images -q
        is "$output" "${IMAGE_ID:0:12}"
        run_engine image prune -a -f
        is "$output" "$IMAGE_ID"
        run_engine images -q
        is "$output" ""
}

@test "image mount and unmount" {
        make_image mnt etc/hello=world
        run_engine image mount mnt
        mp=$output
        is "$(cat "$mp/etc/hello")" world
        [ -x "$mp/bin/busybox" ] || die "no busybox in the mounted image"
        run_engine image mount
        is "$output" "localhost/mnt:latest +$mp"
        run_engine image unmount mnt
        is "$output" "$IMAGE_ID"
        [ ! -e "$mp/etc/hello" ] || die "still mounted"
}

@test "save and load: docker-archive round trip, several names, stdout/stdin" {
        make_image sv etc/f=1
        run_engine tag sv sv2:tag
        run_engine save -o "$CUTTLE_TEST_DIR/d.tar" sv sv2:tag
        tar -tf "$CUTTLE_TEST_DIR/d.tar" | grep -qx manifest.json || die "no manifest.json"
        is "$(tar -xOf "$CUTTLE_TEST_DIR/d.tar" manifest.json | jq -c '.[0].RepoTags')" \
                '["localhost/sv:latest","localhost/sv2:tag"]'
        run_engine rmi -a
        run_engine load -i "$CUTTLE_TEST_DIR/d.tar"
        is "$output" $'Loaded image: localhost/sv:latest\nLoaded image: localhost/sv2:tag'
        run_engine images -q --no-trunc
        is "$output" "sha256:$IMAGE_ID" "the image ID survives the round trip"
        run bash -c "'$CUTTLE' --root '$ENGINE_ROOT' --runroot '$ENGINE_RUNROOT' save sv | '$CUTTLE' --root '$ENGINE_ROOT.2' --runroot '$ENGINE_RUNROOT.2' load"
        is "$status" 0
        is "$output" "Loaded image: localhost/sv:latest"
        rm -rf "$ENGINE_ROOT.2" "$ENGINE_RUNROOT.2"
}

@test "save and load: oci-archive, gzip-compressed archive" {
        make_image oa
        run_engine save --format oci-archive -o "$CUTTLE_TEST_DIR/o.tar" oa
        tar -xOf "$CUTTLE_TEST_DIR/o.tar" oci-layout | jq -e '.imageLayoutVersion == "1.0.0"' >/dev/null
        run_engine rmi oa
        run_engine load -i "$CUTTLE_TEST_DIR/o.tar"
        is "$output" "Loaded image: localhost/oa:latest"
        run_engine images -q --no-trunc
        is "$output" "sha256:$IMAGE_ID"
        run_engine save -o "$CUTTLE_TEST_DIR/d.tar" oa
        gzip -c "$CUTTLE_TEST_DIR/d.tar" >"$CUTTLE_TEST_DIR/d.tar.gz"
        run_engine rmi -a
        run_engine load -i "$CUTTLE_TEST_DIR/d.tar.gz"
        is "$output" "Loaded image: localhost/oa:latest"
        run_engine 125 save --format bogus -o "$CUTTLE_TEST_DIR/x.tar" oa
        run_engine 125 save -o "$CUTTLE_TEST_DIR/x.tar" nope
        [ ! -e "$CUTTLE_TEST_DIR/x.tar" ] || die "a failed save left its output file"
}

@test "load: archives made by skopeo (docker-archive and oci-archive)" {
        skip_if_no skopeo
        skopeo_archive docker-archive "$CUTTLE_TEST_DIR/sd.tar" localhost/skd:v1
        skopeo_archive oci-archive "$CUTTLE_TEST_DIR/so.tar" localhost/sko:v2
        run_engine load -i "$CUTTLE_TEST_DIR/sd.tar"
        is "$output" "Loaded image: localhost/skd:v1"
        run_engine load -i "$CUTTLE_TEST_DIR/so.tar"
        is "$output" "Loaded image: localhost/sko:v2"
        run_engine image mount skd:v1
        [ -x "$output/bin/busybox" ] || die "no busybox in the loaded image"
        run_engine image unmount skd:v1
}

@test "save output loads into podman, skopeo inspects it" {
        skip_if_no podman
        skip_if_no skopeo
        make_image topodman etc/p=1
        run_engine save -o "$CUTTLE_TEST_DIR/d.tar" topodman
        run_engine save --format oci-archive -o "$CUTTLE_TEST_DIR/o.tar" topodman
        _run_checked 0 skopeo inspect "docker-archive:$CUTTLE_TEST_DIR/d.tar"
        is "$(jq -r .Layers[0] <<<"$output")" "sha256:[0-9a-f]{64}"
        _run_checked 0 skopeo inspect --config "oci-archive:$CUTTLE_TEST_DIR/o.tar"
        is "$(jq -r .rootfs.type <<<"$output")" layers
        local P=(podman --root "$CUTTLE_TEST_DIR/proot" --runroot "$CUTTLE_TEST_DIR/prunroot" --storage-driver vfs)
        _run_checked 0 "${P[@]}" load -i "$CUTTLE_TEST_DIR/d.tar"
        assert_line_contains "Loaded image: localhost/topodman:latest"
        _run_checked 0 "${P[@]}" images -q --no-trunc
        is "$output" "sha256:$IMAGE_ID" "podman computes the same image ID"
        "${P[@]}" rmi -a -f >/dev/null 2>&1 || true
        rm -rf "$CUTTLE_TEST_DIR/proot" "$CUTTLE_TEST_DIR/prunroot" 2>/dev/null || true
}

@test "load: hostile archives fail cleanly and leave the store as it was" {
        make_image base
        before=$(store_files)
        # not an archive
        head -c 5000 /dev/urandom >"$CUTTLE_TEST_DIR/noise.tar"
        run_engine 125 load -i "$CUTTLE_TEST_DIR/noise.tar"
        assert_line_contains "payload does not match any of the supported image formats"
        # truncated
        run_engine save -o "$CUTTLE_TEST_DIR/good.tar" base
        head -c 300000 "$CUTTLE_TEST_DIR/good.tar" >"$CUTTLE_TEST_DIR/trunc.tar"
        run_engine 125 load -i "$CUTTLE_TEST_DIR/trunc.tar"
        # an OCI archive whose layer blob does not match its digest
        run_engine save --format oci-archive -o "$CUTTLE_TEST_DIR/o.tar" base
        local d=$CUTTLE_TEST_DIR/ox
        mkdir "$d" && tar -C "$d" -xf "$CUTTLE_TEST_DIR/o.tar"
        layer=$(jq -r '.manifests[0].digest' "$d/index.json")
        layer=$(jq -r '.layers[0].digest' "$d/blobs/sha256/${layer#sha256:}")
        printf 'x' >>"$d/blobs/sha256/${layer#sha256:}"
        tar -C "$d" -cf "$CUTTLE_TEST_DIR/bad-digest.tar" .
        run_engine rmi -a
        before_empty=$(store_files)
        run_engine 125 load -i "$CUTTLE_TEST_DIR/bad-digest.tar"
        assert_line_contains "mismatch"
        is "$(store_files)" "$before_empty" "no partial image, blob or layer"
        # a manifest with an unknown media type
        rm -rf "$d" && mkdir "$d" && tar -C "$d" -xf "$CUTTLE_TEST_DIR/o.tar"
        jq '.manifests[0].mediaType = "application/x-bogus"' "$d/index.json" >"$d/i2" && mv "$d/i2" "$d/index.json"
        printf '{"schemaVersion":2,"mediaType":"application/x-bogus"}' >"$d/blobs/sha256/m"
        m=$(sha256sum "$d/blobs/sha256/m" | cut -d' ' -f1)
        mv "$d/blobs/sha256/m" "$d/blobs/sha256/$m"
        jq --arg d "sha256:$m" --argjson s "$(stat -c %s "$d/blobs/sha256/$m")" \
                '.manifests[0].digest = $d | .manifests[0].size = $s' "$d/index.json" >"$d/i2" &&
                mv "$d/i2" "$d/index.json"
        tar -C "$d" -cf "$CUTTLE_TEST_DIR/bad-type.tar" .
        run_engine 125 load -i "$CUTTLE_TEST_DIR/bad-type.tar"
        assert_line_contains "unsupported manifest media type"
        # member names that climb out of the archive
        mkdir -p "$CUTTLE_TEST_DIR/esc"
        echo '[]' >"$CUTTLE_TEST_DIR/esc/manifest.json"
        tar -C "$CUTTLE_TEST_DIR/esc" -cf "$CUTTLE_TEST_DIR/esc.tar" --transform 's,^,../../,' manifest.json
        run_engine 125 load -i "$CUTTLE_TEST_DIR/esc.tar"
        [ ! -e "$ENGINE_ROOT/../manifest.json" ] || die "an archive member escaped"
        is "$(store_files)" "$before_empty" "no staging directory left"
}

@test "load: two loads of the same archive at once end with one good image" {
        make_image conc etc/c=1
        run_engine save -o "$CUTTLE_TEST_DIR/c.tar" conc
        run_engine rmi -a
        for i in 1 2 3 4; do
                "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" load -i "$CUTTLE_TEST_DIR/c.tar" \
                        >"$CUTTLE_TEST_DIR/l$i.out" 2>&1 &
        done
        wait
        for i in 1 2 3 4; do
                is "$(cat "$CUTTLE_TEST_DIR/l$i.out")" "Loaded image: localhost/conc:latest"
        done
        run_engine images -q --no-trunc
        is "$output" "sha256:$IMAGE_ID"
        is "$(find "$ENGINE_ROOT/layers" -mindepth 2 -maxdepth 2 | wc -l)" 1 "one layer directory"
        is "$(find "$ENGINE_ROOT/tmp" -mindepth 1 | wc -l)" 0 "no staging leftovers"
        run_engine image mount conc
        is "$(cat "$output/etc/c")" 1
        run_engine image unmount conc
}

@test "--storage-driver vfs: import, mount, load" {
        rootfs_tar "$CUTTLE_TEST_DIR/r.tar" etc/v=vfs
        run_cuttle --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" --storage-driver vfs import "$CUTTLE_TEST_DIR/r.tar" v
        run_cuttle --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" --storage-driver vfs image mount v
        is "$(cat "$output/etc/v")" vfs
        run_cuttle --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" --storage-driver vfs image unmount v
        run_cuttle 125 --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" --storage-driver overlay images
        assert_line_contains 'does not match our storage graph driver'
}

@test "save -m / load: an archive with several different images" {
        make_image multi-a etc/a=1
        a=$IMAGE_ID
        make_image multi-b etc/b=2
        b=$IMAGE_ID
        run_engine save -m -o "$CUTTLE_TEST_DIR/m.tar" multi-a multi-b
        is "$(tar -xOf "$CUTTLE_TEST_DIR/m.tar" manifest.json | jq length)" 2
        run_engine rmi -a
        run_engine load -i "$CUTTLE_TEST_DIR/m.tar"
        is "$output" $'Loaded image: localhost/multi-a:latest\nLoaded image: localhost/multi-b:latest'
        run_engine images -q --no-trunc --sort id
        is "$output" "$(printf 'sha256:%s\n' "$a" "$b" | sort)"
}

@test "load: zstd-compressed layers (oci-archive by skopeo)" {
        skip_if_no skopeo
        rootfs_tar "$CUTTLE_TEST_DIR/z.tar" etc/z=zstd
        skopeo copy --quiet --dest-compress --dest-compress-format zstd "tarball:$CUTTLE_TEST_DIR/z.tar" \
                "oci-archive:$CUTTLE_TEST_DIR/z-oci.tar:localhost/zst:1" || die "skopeo failed"
        tar -xOf "$CUTTLE_TEST_DIR/z-oci.tar" index.json >/dev/null
        run_engine load -i "$CUTTLE_TEST_DIR/z-oci.tar"
        is "$output" "Loaded image: localhost/zst:1"
        run_engine image inspect --format '{{.ManifestType}}' zst:1
        run_engine image mount zst:1
        is "$(cat "$output/etc/z")" zstd
        run_engine image unmount zst:1
}

@test "load killed with SIGKILL: the next command removes its staging directory" {
        rootfs_tar "$CUTTLE_TEST_DIR/big.tar"
        # a layer big enough to catch the load in the middle
        head -c 60000000 /dev/urandom >"$CUTTLE_TEST_DIR/blob"
        tar -C "$CUTTLE_TEST_DIR" -rf "$CUTTLE_TEST_DIR/big.tar" blob
        run_engine import "$CUTTLE_TEST_DIR/big.tar" big
        run_engine save -o "$CUTTLE_TEST_DIR/s.tar" big
        run_engine rmi -a
        "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" load -i "$CUTTLE_TEST_DIR/s.tar" \
                >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 100); do
                [ -n "$(ls "$ENGINE_ROOT/tmp" 2>/dev/null)" ] && break
                sleep 0.01
        done
        kill -9 "$pid"
        wait "$pid" || true
        run_engine images -q
        is "$output" "" "no half-loaded image"
        is "$(find "$ENGINE_ROOT/tmp" -mindepth 1 -maxdepth 1 ! -name '.new-*' | wc -l)" 0 \
                "the dead load's staging directory is gone"
        run_engine load -i "$CUTTLE_TEST_DIR/s.tar"
        is "$output" "Loaded image: localhost/big:latest"
}
