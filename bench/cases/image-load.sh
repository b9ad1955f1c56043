# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case image-load: `ENGINE load -i ARCHIVE` of a ~100 MB, 4-layer docker-archive
# (bench/mkimage.sh: busybox, python's stdlib, locales, /usr/bin files) into an empty
# store; the image is removed after each run.  Both engines use overlay.
CASE_NAME=image-load
CASE_ORDER=30
CASE_TITLE='Images: load a ~100 MB 4-layer docker-archive'
CASE_CONTENDERS=(cuttle podman)

case_setup() {
	"$BENCH_DIR/mkimage.sh" "$CASE_TMP/image.tar" localhost/bench-load:latest
}
case_teardown() { bench_umount_under "$CASE_TMP"; }

avail_cuttle() { "$BENCH_BUILD/cuttle" load --help >/dev/null 2>&1 || { echo "not built"; return 1; }; }
setup_cuttle() { CUTTLE_ARGS=(--root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run"); }
prepare_cuttle() { CMD=("$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" load -q -i "$CASE_TMP/image.tar"); }
cleanup_cuttle() { "$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rmi -a >/dev/null 2>&1; }
teardown_cuttle() { cleanup_cuttle; }

avail_podman() { bench_have podman || { echo "not installed"; return 1; }; }
setup_podman() {
	PODMAN_ARGS=(--root "$CASE_TMP/podman/root" --runroot "$CASE_TMP/podman/run" --tmpdir "$CASE_TMP/podman/tmp")
	mkdir -p "$CASE_TMP/podman/tmp"
}
prepare_podman() { CMD=(podman "${PODMAN_ARGS[@]}" load -q -i "$CASE_TMP/image.tar"); }
cleanup_podman() { podman "${PODMAN_ARGS[@]}" rmi -a >/dev/null 2>&1; }
teardown_podman() { cleanup_podman; }
