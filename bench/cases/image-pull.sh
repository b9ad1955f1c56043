# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case image-pull: `ENGINE pull` of the image-load image (gzip layers, as skopeo pushes
# them) from Debian's docker-registry on 127.0.0.1 (plain http, --tls-verify=false) into
# an empty store; the image is removed after each run.
CASE_NAME=image-pull
CASE_ORDER=31
CASE_TITLE='Images: pull the ~100 MB 4-layer image from a local registry'
CASE_CONTENDERS=(cuttle podman)

case_setup() {
	bench_have docker-registry && bench_have skopeo || return 1
	"$BENCH_DIR/mkimage.sh" "$CASE_TMP/image.tar" localhost/bench-pull:latest || return 1
	REG_PORT=$(( 20000 + RANDOM % 20000 ))
	mkdir -p "$CASE_TMP/registry"
	cat >"$CASE_TMP/registry/config.yml" <<EOC
version: 0.1
storage:
  filesystem:
    rootdirectory: $CASE_TMP/registry/data
http:
  addr: 127.0.0.1:$REG_PORT
EOC
	docker-registry serve "$CASE_TMP/registry/config.yml" >"$CASE_TMP/registry/log" 2>&1 &
	echo $! >"$CASE_TMP/registry/pid"
	for _ in $(seq 50); do
		curl -fs "http://127.0.0.1:$REG_PORT/v2/" >/dev/null 2>&1 && break
		sleep 0.1
	done
	skopeo copy --quiet --dest-tls-verify=false "docker-archive:$CASE_TMP/image.tar" \
		"docker://127.0.0.1:$REG_PORT/bench/pull:latest" || return 1
	echo "$REG_PORT" >"$CASE_TMP/registry/port"
}
case_teardown() {
	[[ -f $CASE_TMP/registry/pid ]] && kill "$(cat "$CASE_TMP/registry/pid")" 2>/dev/null
	bench_umount_under "$CASE_TMP"
}
ref() { echo "127.0.0.1:$(cat "$CASE_TMP/registry/port")/bench/pull:latest"; }

avail_cuttle() { [[ -x $BENCH_BUILD/cuttle-registry ]] || { echo "not built"; return 1; }; }
setup_cuttle() { CUTTLE_ARGS=(--root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run"); }
prepare_cuttle() { CMD=("$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" pull -q --tls-verify=false "$(ref)"); }
cleanup_cuttle() { "$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rmi -a >/dev/null 2>&1; }
teardown_cuttle() { cleanup_cuttle; }

avail_podman() { bench_have podman || { echo "not installed"; return 1; }; }
setup_podman() {
	PODMAN_ARGS=(--root "$CASE_TMP/podman/root" --runroot "$CASE_TMP/podman/run" --tmpdir "$CASE_TMP/podman/tmp")
	mkdir -p "$CASE_TMP/podman/tmp"
}
prepare_podman() { CMD=(podman "${PODMAN_ARGS[@]}" pull -q --tls-verify=false "$(ref)"); }
cleanup_podman() { podman "${PODMAN_ARGS[@]}" rmi -a >/dev/null 2>&1; }
teardown_podman() { cleanup_podman; }
