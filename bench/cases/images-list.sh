# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case images-list: `ENGINE images` with 200 images in the store (each a one-file layer on
# top of nothing, loaded from one multi-image docker-archive).
CASE_NAME=images-list
CASE_ORDER=32
CASE_TITLE='Images: images (list) with 200 images'
CASE_CONTENDERS=(cuttle podman)
N_IMAGES=200

case_setup() { bench_many_images "$CASE_TMP/many.tar" "$N_IMAGES"; }
case_teardown() { bench_umount_under "$CASE_TMP"; }

avail_cuttle() { "$BENCH_BUILD/cuttle" images --help >/dev/null 2>&1 || { echo "not built"; return 1; }; }
setup_cuttle() {
	CUTTLE_ARGS=(--root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run")
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" load -q -i "$CASE_TMP/many.tar" >/dev/null
}
prepare_cuttle() { CMD=("$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" images); }
cleanup_cuttle() { :; }
teardown_cuttle() { "$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rmi -a >/dev/null 2>&1; }

avail_podman() { bench_have podman || { echo "not installed"; return 1; }; }
setup_podman() {
	PODMAN_ARGS=(--root "$CASE_TMP/podman/root" --runroot "$CASE_TMP/podman/run" --tmpdir "$CASE_TMP/podman/tmp")
	mkdir -p "$CASE_TMP/podman/tmp"
	podman "${PODMAN_ARGS[@]}" load -q -i "$CASE_TMP/many.tar" >/dev/null
}
prepare_podman() { CMD=(podman "${PODMAN_ARGS[@]}" images); }
cleanup_podman() { :; }
teardown_podman() { podman "${PODMAN_ARGS[@]}" rmi -a >/dev/null 2>&1; }
