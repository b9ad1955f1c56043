#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pull and push through the local transports (containers-transports(5)): docker-archive:,
# oci-archive:, oci: (OCI layout directories), dir:, containers-storage:; what cuttle writes
# is read by skopeo and what skopeo writes is pulled by cuttle; containers.conf's
# image_default_transport; save --format oci-dir|docker-dir and load -i DIR; failures that
# leave nothing behind.

load helpers
load engine

setup() { engine_setup; }
teardown() { engine_teardown; }

# run_other [RC] ARGS…: cuttle on a second, empty store (the pulling side).
run_other() {
        local rc=0
        if rc=$(_expected_rc "${1:-}"); then
                shift
        else
                rc=0
        fi
        _run_checked "$rc" "$CUTTLE" --root "$CUTTLE_TEST_DIR/root2" --runroot "$CUTTLE_TEST_DIR/runroot2" "$@"
}

@test "push/pull docker-archive: podman's progress lines, the ID, names and a tag reference" {
        make_image tr etc/t=1
        local d=$CUTTLE_TEST_DIR/d.tar
        run_engine push tr "docker-archive:$d:my/name:t2"
        is "${lines[0]}" "Getting image source signatures"
        is "${lines[1]}" "Copying blob sha256:[0-9a-f]{64}"
        is "${lines[2]}" "Copying config sha256:$IMAGE_ID"
        is "${lines[3]}" "Writing manifest to image destination"
        is "${lines[4]}" "Storing signatures"
        is "$(tar -xOf "$d" manifest.json | jq -c '.[0].RepoTags')" '["docker.io/my/name:t2","localhost/tr:latest"]'
        run_other pull "docker-archive:$d"
        is "${lines[0]}" "Getting image source signatures"
        is "${lines[-3]}" "Storing signatures"
        is "${lines[-2]}" "$IMAGE_ID" "one ID per name stored, as podman prints"
        is "${lines[-1]}" "$IMAGE_ID"
        run_other images --format '{{.Repository}}:{{.Tag}}' --sort repository
        is "$output" $'docker.io/my/name:t2\nlocalhost/tr:latest'
        run_other rmi -a -f
        run_other pull -q "docker-archive:$d:my/name:t2"
        is "$output" "$IMAGE_ID"
        run_other images --format '{{.Repository}}:{{.Tag}}'
        is "$output" "docker.io/my/name:t2" "a reference stores only that tag"
        run_other 125 pull "docker-archive:$d:other:tag"
        is "$output" 'Error: Tag "docker.io/library/other:tag" not found'
        run_other 125 pull "docker-archive:$d:@1"
        is "$output" "Error: Invalid source index @1, only 1 manifest items available"
        run_engine 125 push tr "docker-archive:$d"
        is "$output" "Error: initializing destination docker-archive:$d: docker-archive doesn't support modifying existing images"
        run_engine 125 pull "docker-archive:$CUTTLE_TEST_DIR/nope.tar"
        is "$output" "Error: opening file \"$CUTTLE_TEST_DIR/nope.tar\": open $CUTTLE_TEST_DIR/nope.tar: no such file or directory"
        run_engine 125 push tr "docker-archive:$CUTTLE_TEST_DIR/new.tar:@0"
        assert_line_contains "cannot name a destination"
        [ ! -e "$CUTTLE_TEST_DIR/new.tar" ] || die "a refused push made $CUTTLE_TEST_DIR/new.tar"
        # an archive of two images needs a reference
        make_image tr2 etc/t=2
        run_engine save -m -o "$CUTTLE_TEST_DIR/m.tar" tr tr2
        run_other 125 pull "docker-archive:$CUTTLE_TEST_DIR/m.tar"
        is "$output" "Error: Unexpected tar manifest.json: expected 1 item, got 2"
        run_other pull -q "docker-archive:$CUTTLE_TEST_DIR/m.tar:@1"
        is "$output" "$IMAGE_ID"
        run_engine 125 push tr "docker-archive:/nonexistent/x.tar"
        is "$output" 'Error: initializing destination docker-archive:/nonexistent/x.tar: opening file "/nonexistent/x.tar": open /nonexistent/x.tar: no such file or directory'
}

@test "push/pull oci: layout directory with ref names; errors as podman's" {
        make_image lay etc/l=1
        local L=$CUTTLE_TEST_DIR/lay
        run_engine push -q lay "oci:$L:v1"
        run_engine push -q lay "oci:$L:v2"
        run_engine push -q lay "oci:$L:v1"
        is "$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]]|sort|join(",")' "$L/index.json")" "v1,v2" \
                "an entry with the same ref name is replaced"
        is "$(jq -r '.manifests[0].mediaType' "$L/index.json")" "application/vnd.oci.image.manifest.v1+json"
        [ -f "$L/oci-layout" ] || die "no oci-layout file"
        run_other 125 pull "oci:$L"
        is "$output" "Error: more than one image in oci, choose an image"
        run_other 125 pull "oci:$L:v3"
        is "$output" 'Error: no descriptor found for reference "v3"'
        run_other 125 pull "oci:$CUTTLE_TEST_DIR"
        is "$output" "Error: initializing source oci:$CUTTLE_TEST_DIR:: open $CUTTLE_TEST_DIR/index.json: no such file or directory"
        # podman 4.3 names the image after the layout's path (relative here: the test
        # directory's name has upper-case letters, which no image name may have)
        cd "$CUTTLE_TEST_DIR"
        run_other pull -q "oci:lay:v2"
        is "$output" "$IMAGE_ID"
        run_other images --format '{{.Repository}}:{{.Tag}}'
        is "$output" "localhost/lay:latest"
        run_engine 125 push lay "oci:/nonexistent/lay"
        is "$output" "Error: lstat /nonexistent: no such file or directory"
        run_engine 125 push lay "foo:/x"
        is "$output" 'Error: Invalid image name "foo:/x", unknown transport "foo"'
        run_engine 125 pull "foo:/x"
        is "$output" "Error: invalid reference format"
}

@test "push/pull oci-archive and dir:, containers-storage:" {
        make_image oa etc/o=1
        run_engine push -q oa "oci-archive:$CUTTLE_TEST_DIR/o.tar:ref1"
        is "$(tar -xOf "$CUTTLE_TEST_DIR/o.tar" index.json | jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]')" ref1
        run_other pull -q "oci-archive:$CUTTLE_TEST_DIR/o.tar"
        is "$output" "$IMAGE_ID"
        run_other images --format '{{.Repository}}:{{.Tag}}'
        is "$output" "localhost/ref1:latest"
        run_other 125 pull "oci-archive:$CUTTLE_TEST_DIR/o.tar:other"
        is "$output" 'Error: no descriptor found for reference "other"'
        run_other 125 pull "oci-archive:$CUTTLE_TEST_DIR/nope.tar"
        is "$output" "Error: creating temp directory: open $CUTTLE_TEST_DIR/nope.tar: no such file or directory"
        run_engine push -q oa "dir:$CUTTLE_TEST_DIR/dd"
        run_engine push -q oa "dir:$CUTTLE_TEST_DIR/dd"
        is "$(cat "$CUTTLE_TEST_DIR/dd/version")" "Directory Transport Version: 1.1"
        [ -f "$CUTTLE_TEST_DIR/dd/$IMAGE_ID" ] || die "no config blob in the dir: directory"
        run_other rmi -a -f
        run_other pull -q "dir:$CUTTLE_TEST_DIR/dd"
        is "$output" "$IMAGE_ID"
        run_other 125 pull "dir:$CUTTLE_TEST_DIR/none"
        is "$output" "Error: open $CUTTLE_TEST_DIR/none/manifest.json: no such file or directory"
        run_engine 125 push oa "dir:$ENGINE_ROOT"
        assert_line_contains "refusing to overwrite"
        run_engine push -q oa containers-storage:other:v9
        run_engine image inspect --format '{{.Id}}' other:v9
        is "$output" "$IMAGE_ID"
        run_engine pull -q containers-storage:other:v9
        is "$output" "$IMAGE_ID"
        run_engine 125 pull docker-daemon:oa:latest
        assert_line_contains "not supported"
        # nothing but what the pushes made was left beside them
        is "$(cd "$CUTTLE_TEST_DIR" && ls -d .cuttle-* 2>/dev/null | wc -l)" 0
}

@test "interoperability: skopeo reads what cuttle pushes, cuttle pulls what skopeo writes" {
        skip_if_no skopeo
        make_image sk etc/s=1
        local T=$CUTTLE_TEST_DIR
        run_engine push -q sk "oci:$T/lay:v1"
        run_engine push -q sk "oci-archive:$T/o.tar:v1"
        run_engine push -q sk "docker-archive:$T/d.tar"
        run_engine push -q sk "dir:$T/dd"
        local src
        for src in "oci:$T/lay:v1" "oci-archive:$T/o.tar" "docker-archive:$T/d.tar" "dir:$T/dd"; do
                _run_checked 0 skopeo inspect --config "$src"
                is "$(jq -r .rootfs.type <<<"$output")" layers "skopeo inspect $src"
                _run_checked 0 skopeo inspect "$src"
                is "$(jq -r '.Layers|length' <<<"$output")" 1 "skopeo inspect $src"
        done
        # skopeo writes each transport from cuttle's archives; cuttle pulls them
        _run_checked 0 skopeo copy --quiet "docker-archive:$T/d.tar" "oci:$T/sklay:s1"
        _run_checked 0 skopeo copy --quiet "oci:$T/lay:v1" "docker-archive:$T/skd.tar:sk/img:2"
        _run_checked 0 skopeo copy --quiet "oci-archive:$T/o.tar" "dir:$T/skdir"
        _run_checked 0 skopeo copy --quiet "dir:$T/dd" "oci-archive:$T/sko.tar:s3"
        run_other pull -q "oci:$T/sklay:s1" "docker-archive:$T/skd.tar" "dir:$T/skdir" "oci-archive:$T/sko.tar"
        is "$output" "$(printf '%s\n' "$IMAGE_ID" "$IMAGE_ID" "$IMAGE_ID" "$IMAGE_ID")" "the same image ID everywhere"
        run_other images --format '{{.Repository}}:{{.Tag}}' --sort repository
        assert_line_contains "docker.io/sk/img:2"
        assert_line_contains "localhost/s3:latest"
        run_other image mount sk/img:2
        [ -f "$output/etc/s" ] || die "the pulled image lacks its file"
        run_other image unmount sk/img:2
}

@test "image_default_transport: names without a transport use it" {
        make_image dt etc/d=1
        run_engine push -q dt "oci-archive:$CUTTLE_TEST_DIR/o.tar"
        cat >"$CUTTLE_TEST_DIR/c.conf" <<EOF
[engine]
image_default_transport = "oci-archive:"
EOF
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/c.conf run_other pull -q "$CUTTLE_TEST_DIR/o.tar"
        is "$output" "$IMAGE_ID"
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/c.conf run_engine push -q dt "$CUTTLE_TEST_DIR/out.tar"
        tar -tf "$CUTTLE_TEST_DIR/out.tar" | grep -qx index.json || die "push did not write an oci-archive"
        # an explicit transport still wins
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/c.conf run_engine push -q dt "docker-archive:$CUTTLE_TEST_DIR/d.tar"
        tar -tf "$CUTTLE_TEST_DIR/d.tar" | grep -qx manifest.json || die "docker-archive: was not honoured"
        cat >"$CUTTLE_TEST_DIR/bad.conf" <<EOF
[engine]
image_default_transport = "bogus"
EOF
        CONTAINERS_CONF=$CUTTLE_TEST_DIR/bad.conf run_other 125 pull "$CUTTLE_TEST_DIR/o.tar"
        is "$output" 'Error: invalid image_default_transport "bogus" in containers.conf'
        # the default (docker://) is a registry: a path is no image reference
        run_other 125 pull "$CUTTLE_TEST_DIR/o.tar"
        is "$output" "Error: invalid reference format.*"
}

@test "save --format oci-dir|docker-dir and load -i DIR" {
        make_image sd etc/x=1
        run_engine 125 save --format bogus -o "$CUTTLE_TEST_DIR/x" sd
        is "$output" "Error: format value must be one of oci-dir oci-archive docker-dir docker-archive"
        run_engine save -q --format oci-dir -o "$CUTTLE_TEST_DIR/od" sd
        is "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$CUTTLE_TEST_DIR/od/index.json")" \
                "localhost/sd:latest"
        run_engine save -q --format docker-dir -o "$CUTTLE_TEST_DIR/dd" sd
        [ -f "$CUTTLE_TEST_DIR/dd/manifest.json" ] || die "docker-dir wrote no manifest.json"
        run_other load -i "$CUTTLE_TEST_DIR/dd"
        is "$output" "Loaded image: sha256:$IMAGE_ID"
        run_other rmi -a -f
        cd "$CUTTLE_TEST_DIR"
        run_other load -i od
        is "$output" "Loaded image: localhost/od" "named after the layout's path, as podman does"
        run_other images -q --no-trunc
        is "$output" "sha256:$IMAGE_ID"
        mkdir "$CUTTLE_TEST_DIR/empty"
        run_other 125 load -i "$CUTTLE_TEST_DIR/empty"
        assert_line_contains "payload does not match any of the supported image formats"
}

@test "failed pushes leave no archive or directory; failed pulls leave no image or layer" {
        make_image fl etc/f=1
        run_engine push -q fl "oci:$CUTTLE_TEST_DIR/good"
        # a damaged layer blob in the layout: the pull fails and stores nothing
        local layer
        layer=$(jq -r '.manifests[0].digest' "$CUTTLE_TEST_DIR/good/index.json")
        layer=$(jq -r '.layers[0].digest' "$CUTTLE_TEST_DIR/good/blobs/sha256/${layer#sha256:}")
        echo garbage >"$CUTTLE_TEST_DIR/good/blobs/sha256/${layer#sha256:}"
        run_other images -q
        local before
        before=$(cd "$CUTTLE_TEST_DIR/root2" && find blobs layers tmp -mindepth 1 -maxdepth 3 2>/dev/null | sort)
        run_other 125 pull "oci:$CUTTLE_TEST_DIR/good"
        assert_line_contains "digest mismatch"
        run_other images -q
        is "$output" "" "no image after a failed pull"
        is "$(cd "$CUTTLE_TEST_DIR/root2" && find blobs layers tmp -mindepth 1 -maxdepth 3 2>/dev/null | sort)" "$before" \
                "no blob, layer or staging directory left"
        # the image's layer blob gone from the store: every push fails, nothing is left
        rm -f "$ENGINE_ROOT/blobs/sha256/${layer#sha256:}"
        local t
        for t in oci dir oci-archive docker-archive; do
                run_engine 125 push fl "$t:$CUTTLE_TEST_DIR/new"
                [ ! -e "$CUTTLE_TEST_DIR/new" ] || die "a failed push to $t: left $CUTTLE_TEST_DIR/new"
        done
        is "$(cd "$CUTTLE_TEST_DIR" && ls -A | grep -c '^\.cuttle-')" 0 "no temporary file left"
}
