# shellcheck shell=bash disable=SC2034  # CASE_*, CMD are read by run.sh
# Case layer-unpack: extracting the same four layers (the image-load image's, plain tar)
# into an empty directory: cuttle's layer_unpack (through build/unpack-layer, which also
# computes the sha256 diff ID) against GNU tar (`tar -xf`, as root: owners and modes kept).
CASE_NAME=layer-unpack
CASE_ORDER=34
CASE_TITLE='Layers: unpack 4 layers (~100 MB) — cuttle vs GNU tar'
CASE_CONTENDERS=(cuttle tar)

case_setup() {
	"$BENCH_DIR/mkimage.sh" "$CASE_TMP/image.tar" localhost/bench-unpack:latest || return 1
	mkdir -p "$CASE_TMP/layers" && tar -C "$CASE_TMP/layers" -xf "$CASE_TMP/image.tar"
	mapfile -t LAYERS < <(jq -r '.[0].Layers[]' "$CASE_TMP/layers/manifest.json")
	printf '%s\n' "${LAYERS[@]/#/$CASE_TMP/layers/}" >"$CASE_TMP/layer-list"
}
case_teardown() { rm -rf "$CASE_TMP/out"; }

avail_cuttle() { [[ -x $BENCH_BUILD/unpack-layer ]] || { echo "not built"; return 1; }; }
prepare_cuttle() {
	rm -rf "$CASE_TMP/out" && mkdir -p "$CASE_TMP/out"
	mapfile -t L <"$CASE_TMP/layer-list"
	CMD=("$BENCH_BUILD/unpack-layer" "$CASE_TMP/out" "${L[@]}")
}
cleanup_cuttle() { rm -rf "$CASE_TMP/out"; }

avail_tar() { bench_have tar || { echo "not installed"; return 1; }; }
prepare_tar() {
	rm -rf "$CASE_TMP/out" && mkdir -p "$CASE_TMP/out"
	mapfile -t L <"$CASE_TMP/layer-list"
	CMD=(bash -c 'd=$1; shift; for l; do tar -C "$d" -xf "$l" || exit 1; done' _ "$CASE_TMP/out" "${L[@]}")
}
cleanup_tar() { rm -rf "$CASE_TMP/out"; }
