# shellcheck shell=bash
# bench/lib.sh — helpers shared by bench/run.sh and the cases in bench/cases/.
# Sourced, never executed.

bench_log() { printf '%s\n' "$*" >&2; }
bench_warn() { printf 'bench: warning: %s\n' "$*" >&2; }
bench_die() { printf 'bench: error: %s\n' "$*" >&2; exit 2; }

# bench_have CMD: true if CMD is an executable on PATH (or an executable path).
bench_have() {
	if [[ $1 == */* ]]; then
		[[ -x $1 ]]
	else
		command -v -- "$1" >/dev/null 2>&1
	fi
}

# bench_fn_suffix NAME: the contender name as it appears in function names
# (every character that is not [A-Za-z0-9_] becomes "_"): cuttle-runtime -> cuttle_runtime.
bench_fn_suffix() {
	local s=$1
	printf '%s' "${s//[^A-Za-z0-9_]/_}"
}

# bench_now_us: wall clock in microseconds, without forking (bash 5 EPOCHREALTIME).
# Sets the variable NOW_US rather than printing, so that reading the clock
# costs no subshell.
bench_now_us() {
	local t=$EPOCHREALTIME
	t=${t/[.,]/}
	# shellcheck disable=SC2034  # read by the caller
	NOW_US=$((10#$t))
}

# bench_stats FILE: reads one sample (µs) per line and prints
# "n min median mean p90 max" in milliseconds (3 decimals).
# median: mean of the two middle samples when n is even; p90: nearest rank.
bench_stats() {
	sort -n "$1" | awk '
		{ v[NR] = $1; s += $1 }
		END {
			n = NR
			if (n == 0) { print "0 - - - - -"; exit }
			if (n % 2) med = v[(n + 1) / 2]
			else med = (v[n / 2] + v[n / 2 + 1]) / 2
			r = int(0.9 * n); if (r < 0.9 * n) r++; if (r < 1) r = 1
			printf "%d %.3f %.3f %.3f %.3f %.3f\n", n, v[1] / 1000, med / 1000, s / n / 1000, v[r] / 1000, v[n] / 1000
		}'
}

# bench_busybox: path of a statically linked busybox, or nothing.
bench_busybox() {
	local b
	for b in /bin/busybox /usr/bin/busybox; do
		if [[ -x $b ]] && ! LC_ALL=C ldd "$b" >/dev/null 2>&1; then
			printf '%s\n' "$b"
			return 0
		fi
	done
	return 1
}

# bench_make_rootfs DIR: a minimal rootfs made of a static busybox and its
# applet links (bin/true, bin/sh, …) plus the empty directories a runtime
# mounts onto.
bench_make_rootfs() {
	local dir=$1 bb applet
	bb=$(bench_busybox) || { bench_warn "no static busybox (apt-get install busybox-static)"; return 1; }
	mkdir -p "$dir"/{bin,dev,proc,sys,tmp,etc,root} || return 1
	cp "$bb" "$dir/bin/busybox" || return 1
	for applet in $("$bb" --list); do
		[[ $applet == busybox ]] && continue
		ln -sf busybox "$dir/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
	printf 'root:x:0:\n' >"$dir/etc/group"
}

# bench_make_bundle DIR [ARG...]: an OCI bundle (DIR/config.json, DIR/rootfs)
# whose process runs ARG... (default /bin/true) without a terminal.
# Uses tests/images/mkbundle.sh when the tree has it, else builds one from
# busybox and `runc spec`.
bench_make_bundle() {
	local dir=$1
	shift
	local -a args=("$@")
	((${#args[@]})) || args=(true)
	[[ ${args[0]} == /* ]] || args[0]=/bin/${args[0]}
	if [[ -x $BENCH_SRC/tests/images/mkbundle.sh ]]; then
		if CUTTLE_BUILD=$BENCH_BUILD "$BENCH_SRC/tests/images/mkbundle.sh" "$dir" "${args[@]}" >&2 &&
			[[ -f $dir/config.json && -d $dir/rootfs ]]; then
			return 0
		fi
		bench_warn "tests/images/mkbundle.sh failed; making the bundle here"
		rm -rf "$dir"
	fi
	bench_make_rootfs "$dir/rootfs" || return 1
	bench_have runc || { bench_warn "runc is needed to write config.json (runc spec)"; return 1; }
	(cd "$dir" && runc spec) || return 1
	local json a
	json=$(printf '"%s",' "${args[@]}")
	json="[${json%,}]"
	if bench_have jq; then
		jq --argjson a "$json" '.process.terminal = false | .process.args = $a' \
			"$dir/config.json" >"$dir/config.json.new" || return 1
	else
		# runc spec's layout: "terminal": true, and args on their own lines.
		sed -e 's/"terminal": true/"terminal": false/' \
			-e '/"args": \[/,/\]/{/"args": \[/!{/\]/!d}}' \
			"$dir/config.json" >"$dir/config.json.new" || return 1
		a=$(printf '%s' "$json" | sed 's/^\[//; s/\]$//')
		sed -i "s|\"args\": \[|\"args\": [ $a|" "$dir/config.json.new" || return 1
	fi
	mv "$dir/config.json.new" "$dir/config.json"
}

# bench_rootfs_tar DIR TAR: a rootfs tarball (for `podman import`, `cuttle import`).
bench_rootfs_tar() {
	tar -C "$1" --numeric-owner -cf "$2" .
}

# bench_umount_under DIR: lazily unmount everything mounted below DIR
# (deepest first), so that rm -rf cannot cross into a live mount.
bench_umount_under() {
	local dir m
	dir=$(readlink -f "$1") || return 0
	awk -v d="$dir/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts |
		sort -r | while read -r m; do
			m=$(printf '%b' "$m") # /proc/mounts escapes spaces as \040
			umount -l "$m" 2>/dev/null || true
		done
}

# bench_call FN ARG...: call the function FN if the case defines it.
bench_call() {
	declare -F "$1" >/dev/null || return 0
	"$@"
}

# bench_many_images OUT.tar N: a docker-archive of N small images (one 1-file layer each,
# distinct contents, named localhost/many-I:latest).
bench_many_images() {
	local out=$1 n=$2 d i l c
	d=$(mktemp -d)
	local -a members=(manifest.json)
	local manifest='['
	for ((i = 0; i < n; i++)); do
		mkdir -p "$d/f$i"
		printf 'image %d\n' "$i" >"$d/f$i/file"
		tar --numeric-owner --owner=0 --group=0 --mtime=@1700000000 -C "$d/f$i" -cf "$d/l$i.tar" file
		l=$(sha256sum "$d/l$i.tar" | cut -d' ' -f1)
		mv "$d/l$i.tar" "$d/$l.tar"
		printf '{"architecture":"amd64","os":"linux","created":"2023-11-14T22:13:%02dZ","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
			$((i % 60)) "$l" >"$d/c.json"
		c=$(sha256sum "$d/c.json" | cut -d' ' -f1)
		mv "$d/c.json" "$d/$c.json"
		members+=("$c.json" "$l.tar")
		((i)) && manifest+=','
		manifest+="{\"Config\":\"$c.json\",\"RepoTags\":[\"localhost/many-$i:latest\"],\"Layers\":[\"$l.tar\"]}"
	done
	printf '%s]' "$manifest" >"$d/manifest.json"
	tar -C "$d" -cf "$out" "${members[@]}"
	rm -rf "$d"
}
