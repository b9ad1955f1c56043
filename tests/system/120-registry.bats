#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pull / push / login / logout against Debian's docker-registry on 127.0.0.1, seeded by
# skopeo (the registry's layers are gzip'd as skopeo pushes them).

load helpers
load engine
load registry

setup() {
        skip_if_no docker-registry
        skip_if_no skopeo
        engine_setup
        export REGISTRY_AUTH_FILE=$CUTTLE_TEST_DIR/auth.json
}

teardown() {
        registry_stop
        engine_teardown
}

# seed REPO:TAG [FILE=TEXT…]: a busybox image (plus files) pushed by skopeo.
seed() {
        local ref=$1
        shift
        rootfs_tar "$CUTTLE_TEST_DIR/seed.tar" "$@"
        skopeo copy --quiet "tarball:$CUTTLE_TEST_DIR/seed.tar" "oci:$CUTTLE_TEST_DIR/seed-oci:x" ||
                die "skopeo tarball → oci failed"
        registry_seed "$CUTTLE_TEST_DIR/seed-oci:x" "$ref"
        rm -rf "$CUTTLE_TEST_DIR/seed.tar" "$CUTTLE_TEST_DIR/seed-oci"
}

@test "pull: anonymous, gzip layers, then again (layers already there)" {
        registry_start
        seed lib/busy:1.0 etc/pulled=yes
        run_engine pull --tls-verify=false "$REGISTRY_HOST/lib/busy:1.0"
        assert_line_contains "Trying to pull $REGISTRY_HOST/lib/busy:1.0..."
        assert_line_contains "Copying blob sha256:"
        id=${lines[-1]}
        is "$id" "[0-9a-f]{64}" "pull prints the image ID last"
        run_engine images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
        is "$output" "$REGISTRY_HOST/lib/busy:1.0 ${id:0:12}"
        run_engine image mount "$REGISTRY_HOST/lib/busy:1.0"
        is "$(cat "$output/etc/pulled")" yes
        run_engine image unmount "$REGISTRY_HOST/lib/busy:1.0"
        run_engine pull --tls-verify=false "$REGISTRY_HOST/lib/busy:1.0"
        assert_line_contains "skipped: already exists"
        run_engine pull -q --tls-verify=false "$REGISTRY_HOST/lib/busy:1.0"
        is "$output" "$id" "--quiet prints only the ID"
        run_engine images --format '{{.Digest}}'
        is "$output" "$(skopeo inspect --tls-verify=false "docker://$REGISTRY_HOST/lib/busy:1.0" | jq -r .Digest)" \
                "the digest is the registry's manifest digest"
}

@test "pull: errors leave the store as it was" {
        registry_start
        run_engine 125 pull --tls-verify=false "$REGISTRY_HOST/nothing/here:latest"
        assert_line_contains "manifest unknown"
        run_engine 125 pull "$REGISTRY_HOST/nothing/here:latest"
        assert_line_contains "initializing source docker://$REGISTRY_HOST/nothing/here:latest"
        run_engine images -q
        is "$output" ""
        is "$(find "$ENGINE_ROOT/blobs" "$ENGINE_ROOT/tmp" -mindepth 2 | wc -l)" 0 "no blob or staging left"
        run_engine 125 pull "bad//ref"
        assert_line_contains "invalid reference format"
}

@test "pull: short names through registries.conf" {
        registry_start
        seed short/name:latest
        run_engine 125 --registries-conf "$CUTTLE_TEST_DIR/none.conf" pull short/name
        assert_line_contains 'short-name "short/name" did not resolve to an alias and no unqualified-search registries are defined'
        cat >"$CUTTLE_TEST_DIR/reg.conf" <<EOC
unqualified-search-registries = ["$REGISTRY_HOST"]
[[registry]]
location = "$REGISTRY_HOST"
insecure = true
EOC
        run_engine --registries-conf "$CUTTLE_TEST_DIR/reg.conf" pull short/name
        assert_line_contains "Trying to pull $REGISTRY_HOST/short/name:latest..."
        run_engine image exists short/name
}

@test "push: to the registry, again (blobs skipped), and to another repository (mounted)" {
        registry_start
        make_image topush etc/pushed=1
        run_engine push --tls-verify=false topush "$REGISTRY_HOST/pushed/img:v1"
        assert_line_contains "Writing manifest to image destination"
        run skopeo inspect --tls-verify=false --config "docker://$REGISTRY_HOST/pushed/img:v1"
        is "$status" 0
        is "$(jq -r .rootfs.type <<<"$output")" layers
        run_engine tag topush "$REGISTRY_HOST/pushed/img:v1"
        run_engine push --tls-verify=false "$REGISTRY_HOST/pushed/img:v1"
        assert_line_contains "skipped: already exists"
        run_engine push --tls-verify=false "$REGISTRY_HOST/pushed/img:v1" "$REGISTRY_HOST/other/img:v2"
        assert_line_contains "skipped: already exists"
        # what was pushed pulls back into an empty store with the same image ID
        run_cuttle --root "$ENGINE_ROOT.2" --runroot "$ENGINE_RUNROOT.2" pull -q --tls-verify=false \
                "$REGISTRY_HOST/other/img:v2"
        is "$output" "$IMAGE_ID"
        rm -rf "$ENGINE_ROOT.2" "$ENGINE_RUNROOT.2"
        run_engine 125 push --tls-verify=false nosuch "$REGISTRY_HOST/x/y:z"
        assert_line_contains "nosuch: image not known"
}

@test "login, logout and authenticated pull/push" {
        skip_if_no htpasswd
        registry_start --auth alice s3cret
        seed auth/busy:1
        run_engine 125 pull --tls-verify=false "$REGISTRY_HOST/auth/busy:1"
        assert_line_contains "authentication required"
        run_engine 125 login --tls-verify=false -u alice -p wrong "$REGISTRY_HOST"
        run_engine login --tls-verify=false -u alice -p s3cret "$REGISTRY_HOST"
        is "$output" "Login Succeeded!"
        jq -e --arg h "$REGISTRY_HOST" '.auths[$h].auth' "$REGISTRY_AUTH_FILE" >/dev/null ||
                die "no credentials in $REGISTRY_AUTH_FILE"
        run_engine pull -q --tls-verify=false "$REGISTRY_HOST/auth/busy:1"
        make_image mine etc/m=1
        run_engine push --tls-verify=false mine "$REGISTRY_HOST/auth/mine:1"
        run_engine logout "$REGISTRY_HOST"
        is "$output" "Removed login credentials for $REGISTRY_HOST"
        run_engine 125 logout "$REGISTRY_HOST"
        run_engine 125 pull --tls-verify=false "$REGISTRY_HOST/auth/mine:1"
        run_engine pull -q --tls-verify=false --creds alice:s3cret "$REGISTRY_HOST/auth/mine:1"
        echo s3cret | "$CUTTLE" --root "$ENGINE_ROOT" --runroot "$ENGINE_RUNROOT" login --tls-verify=false \
                -u alice --password-stdin "$REGISTRY_HOST" || die "--password-stdin failed"
}

# multiarch REPO: pushes linux/amd64 and linux/arm64/v8 variants of a busybox image (their
# configs differ in architecture and in a label) and an OCI index of both as REPO:latest.
multiarch() {
        local repo=$1 d=$CUTTLE_TEST_DIR/ma m cfg b arch entries='[]' raw
        rootfs_tar "$CUTTLE_TEST_DIR/ma.tar"
        skopeo copy --quiet "tarball:$CUTTLE_TEST_DIR/ma.tar" "oci:$d:x" || die "skopeo failed"
        m=$(jq -r '.manifests[0].digest' "$d/index.json")
        cfg=$(jq -r '.config.digest' "$d/blobs/sha256/${m#sha256:}")
        for arch in amd64 arm64; do
                jq -c --arg a "$arch" '.architecture = $a | .config.Labels.arch = $a |
                        if $a == "arm64" then .variant = "v8" else . end' \
                        "$d/blobs/sha256/${cfg#sha256:}" >"$d/cfg.json"
                b=$(sha256sum "$d/cfg.json" | cut -d' ' -f1)
                mv "$d/cfg.json" "$d/blobs/sha256/$b"
                jq -c --arg c "sha256:$b" --argjson s "$(stat -c %s "$d/blobs/sha256/$b")" \
                        '.config.digest = $c | .config.size = $s' "$d/blobs/sha256/${m#sha256:}" >"$d/man.json"
                b=$(sha256sum "$d/man.json" | cut -d' ' -f1)
                mv "$d/man.json" "$d/blobs/sha256/$b"
                jq -c --arg dg "sha256:$b" --argjson s "$(stat -c %s "$d/blobs/sha256/$b")" \
                        '.manifests[0].digest = $dg | .manifests[0].size = $s' "$d/index.json" >"$d/i.json"
                mv "$d/i.json" "$d/index.json"
                registry_seed "$d:x" "$repo:$arch"
                curl -fsS -o "$d/got" -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
                        "http://$REGISTRY_HOST/v2/$repo/manifests/$arch" || die "GET manifest failed"
                raw=$(cat "$d/got")
                entries=$(jq -c --arg dg "sha256:$(sha256sum <"$d/got" | cut -d' ' -f1)" \
                        --argjson s "$(stat -c %s "$d/got")" --arg a "$arch" \
                        --arg mt "$(jq -r '.mediaType // "application/vnd.oci.image.manifest.v1+json"' <<<"$raw")" \
                        '. + [{mediaType: $mt, digest: $dg, size: $s,
                               platform: ({os: "linux", architecture: $a} + (if $a == "arm64" then {variant: "v8"} else {} end))}]' \
                        <<<"$entries")
        done
        local lt=application/vnd.oci.image.index.v1+json
        [[ $entries == *docker.distribution* ]] && lt=application/vnd.docker.distribution.manifest.list.v2+json
        jq -cn --argjson m "$entries" --arg lt "$lt" '{schemaVersion: 2, mediaType: $lt, manifests: $m}' \
                >"$CUTTLE_TEST_DIR/index.json"
        curl -sS -X PUT -H "Content-Type: $lt" \
                --data-binary "@$CUTTLE_TEST_DIR/index.json" \
                "http://$REGISTRY_HOST/v2/$repo/manifests/latest" || die "PUT of the index failed"
        skopeo inspect --raw --tls-verify=false "docker://$REGISTRY_HOST/$repo:latest" | grep -q '"manifests"' ||
                die "the registry does not serve the index"
}

@test "pull: a manifest list picks linux/amd64, or --arch/--platform" {
        registry_start
        multiarch multi/arch
        run_engine pull -q --tls-verify=false "$REGISTRY_HOST/multi/arch:latest"
        run_engine image inspect --format '{{.Architecture}} {{.Config.Labels.arch}}' "$REGISTRY_HOST/multi/arch:latest"
        is "$output" "amd64 amd64"
        run_engine rmi -a
        run_engine pull -q --tls-verify=false --arch arm64 "$REGISTRY_HOST/multi/arch:latest"
        run_engine image inspect --format '{{.Architecture}} {{.Config.Labels.arch}}' "$REGISTRY_HOST/multi/arch:latest"
        is "$output" "arm64 arm64"
        run_engine rmi -a
        run_engine pull -q --tls-verify=false --platform linux/arm64/v8 "$REGISTRY_HOST/multi/arch:latest"
        run_engine 125 pull -q --tls-verify=false --arch s390x "$REGISTRY_HOST/multi/arch:latest"
        assert_line_contains "no image found in image index for architecture s390x"
}
