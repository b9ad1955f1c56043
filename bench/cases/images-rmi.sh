# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case images-rmi: `ENGINE rmi -a` of 200 images (reloaded before each run, untimed).
CASE_NAME=images-rmi
CASE_ORDER=33
CASE_TITLE='Images: rmi -a of 200 images'
CASE_CONTENDERS=(cuttle podman)
N_IMAGES=200

case_setup() { bench_many_images "$CASE_TMP/many.tar" "$N_IMAGES"; }
case_teardown() { bench_umount_under "$CASE_TMP"; }

avail_cuttle() { "$BENCH_BUILD/cuttle" rmi --help >/dev/null 2>&1 || { echo "not built"; return 1; }; }
setup_cuttle() { CUTTLE_ARGS=(--root "$CASE_TMP/cuttle/root" --runroot "$CASE_TMP/cuttle/run"); }
prepare_cuttle() {
	"$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" load -q -i "$CASE_TMP/many.tar" >/dev/null || return 1
	CMD=("$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rmi -a)
}
cleanup_cuttle() { :; }
teardown_cuttle() { "$BENCH_BUILD/cuttle" "${CUTTLE_ARGS[@]}" rmi -a >/dev/null 2>&1; }

avail_podman() { bench_have podman || { echo "not installed"; return 1; }; }
setup_podman() {
	PODMAN_ARGS=(--root "$CASE_TMP/podman/root" --runroot "$CASE_TMP/podman/run" --tmpdir "$CASE_TMP/podman/tmp")
	mkdir -p "$CASE_TMP/podman/tmp"
}
prepare_podman() {
	podman "${PODMAN_ARGS[@]}" load -q -i "$CASE_TMP/many.tar" >/dev/null || return 1
	CMD=(podman "${PODMAN_ARGS[@]}" rmi -a)
}
cleanup_podman() { :; }
teardown_podman() { podman "${PODMAN_ARGS[@]}" rmi -a >/dev/null 2>&1; }
