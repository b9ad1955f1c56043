#!/usr/bin/env bash
# bench/run.sh — side-by-side benchmarks of cuttle against runc and podman.
#
#   bench/run.sh [--build DIR] [-n N] [-w W] [--out DIR] [--no-chart] [CASE...]
#
# Runs every case in bench/cases/ (or the ones named), N timed iterations per
# contender, interleaved (A B A B …), then prints a summary with ratios and
# writes RESULTS.md and results.png. Timings never decide success: the exit
# status is 0 when every available contender's command succeeded, 1 when one
# failed, 2 on a usage or setup error. See bench/README.md.

set -u
export LC_ALL=C

BENCH_SRC=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BENCH_DIR=$BENCH_SRC/bench
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$BENCH_DIR/lib.sh"

usage() {
	cat <<EOF
usage: bench/run.sh [options] [CASE...]

  --build DIR   the meson build directory holding cuttle, cuttle-runtime
                (default: ./build, else the source tree's build/)
  -n N          timed iterations per contender (default 20)
  -w W          untimed warm-up iterations per contender (default 1)
  --out DIR     where RESULTS.md and results.png go (default: bench/)
  --no-chart    do not draw results.png
  -l, --list    list the cases and their contenders, then exit
  -h, --help    this text

CASE is a file name in bench/cases/ without .sh (default: all of them).
EOF
}

BENCH_BUILD=
ITERATIONS=20
WARMUP=1
OUT_DIR=$BENCH_DIR
CHART=1
LIST=0
CASES=()
while (($#)); do
	case $1 in
	--build) (($# >= 2)) || bench_die "--build needs a directory"; BENCH_BUILD=$2; shift 2 ;;
	--build=*) BENCH_BUILD=${1#*=}; shift ;;
	-n) (($# >= 2)) || bench_die "-n needs a number"; ITERATIONS=$2; shift 2 ;;
	-n*) ITERATIONS=${1#-n}; shift ;;
	-w) (($# >= 2)) || bench_die "-w needs a number"; WARMUP=$2; shift 2 ;;
	-w*) WARMUP=${1#-w}; shift ;;
	--out) (($# >= 2)) || bench_die "--out needs a directory"; OUT_DIR=$2; shift 2 ;;
	--out=*) OUT_DIR=${1#*=}; shift ;;
	--no-chart) CHART=0; shift ;;
	-l | --list) LIST=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; CASES+=("$@"); break ;;
	-*) usage >&2; exit 2 ;;
	*) CASES+=("$1"); shift ;;
	esac
done
[[ $ITERATIONS =~ ^[1-9][0-9]*$ ]] || bench_die "-n: not a positive number: $ITERATIONS"
[[ $WARMUP =~ ^[0-9]+$ ]] || bench_die "-w: not a number: $WARMUP"

if [[ -z $BENCH_BUILD ]]; then
	if [[ -d build ]]; then BENCH_BUILD=build; else BENCH_BUILD=$BENCH_SRC/build; fi
fi
BENCH_BUILD=$(readlink -f "$BENCH_BUILD")
export BENCH_SRC BENCH_BUILD

# The cases to run.
declare -a CASE_FILES=()
if ((${#CASES[@]} == 0)); then
	# In the order of their CASE_ORDER (default 50), then by name.
	mapfile -t CASE_FILES < <(
		for f in "$BENCH_DIR"/cases/*.sh; do
			[[ -f $f ]] || continue
			o=$(sed -n 's/^CASE_ORDER=\([0-9][0-9]*\).*/\1/p' "$f" | head -n 1)
			printf '%s\t%s\n' "${o:-50}" "$f"
		done | sort -s -n -k 1,1 | cut -f 2-
	)
else
	for c in "${CASES[@]}"; do
		f=$BENCH_DIR/cases/${c%.sh}.sh
		[[ -f $f ]] || bench_die "no such case: $c (see bench/run.sh --list)"
		CASE_FILES+=("$f")
	done
fi
((${#CASE_FILES[@]})) || bench_die "no cases in $BENCH_DIR/cases"

if ((LIST)); then
	for f in "${CASE_FILES[@]}"; do
		(
			# shellcheck source=/dev/null
			. "$f"
			printf '%-14s %s\n%-14s contenders: %s\n' "$CASE_NAME" "$CASE_TITLE" "" "${CASE_CONTENDERS[*]}"
		)
	done
	exit 0
fi

((EUID == 0)) || bench_warn "not root: the runtimes will most likely fail"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-bench.XXXXXX") || bench_die "mktemp failed"
if [[ -d $BENCH_BUILD && -w $BENCH_BUILD ]]; then
	LOG_DIR=$BENCH_BUILD/bench-logs
else
	LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-bench-logs.XXXXXX") || bench_die "mktemp failed"
fi
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR" || bench_die "cannot create $LOG_DIR"
RESULTS_TSV=$WORK/results.tsv
: >"$RESULTS_TSV"

# shellcheck disable=SC2317  # called through the trap
bench_cleanup() {
	bench_umount_under "$WORK"
	rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# One case, run in a subshell so that its functions and variables stay its own.
# Appends one row per contender to $RESULTS_TSV:
#   case  title  contender  status(ok|na|failed)  detail  n  min  median  mean  p90  max  rss_kib
# (no empty fields: read with IFS=tab would merge them).
# Exits 1 if a contender failed.
run_case() {
	local file=$1 c s reason i rc t0 t1 tsum fd
	CASE_NAME='' CASE_TITLE='' CASE_CONTENDERS=()
	# shellcheck source=/dev/null
	. "$file"
	[[ -n $CASE_NAME ]] || CASE_NAME=$(basename "$file" .sh)
	[[ -n $CASE_TITLE ]] || CASE_TITLE=$CASE_NAME
	CASE_TMP=$WORK/$CASE_NAME
	mkdir -p "$CASE_TMP"
	export CASE_TMP

	declare -A status=() detail=() sfx=() logfd=() samples=() rss=()
	local -a active=() setup_done=()
	local failed=0

	bench_log ""
	bench_log "== $CASE_NAME: $CASE_TITLE"

	for c in "${CASE_CONTENDERS[@]}"; do
		s=$(bench_fn_suffix "$c")
		sfx[$c]=$s
		if ! declare -F "prepare_$s" >/dev/null; then
			status[$c]=failed detail[$c]="case defines no prepare_$s"
			continue
		fi
		if declare -F "avail_$s" >/dev/null && ! reason=$("avail_$s" 2>&1); then
			status[$c]=na detail[$c]=${reason:-not available}
			bench_log "   $c: n/a (${detail[$c]})"
			continue
		fi
		status[$c]=ok
	done

	# shellcheck disable=SC2317  # called through the trap
	case_exit() {
		local x
		for x in "${setup_done[@]}"; do
			"teardown_${sfx[$x]}" >>"$LOG_DIR/$CASE_NAME.$x.log" 2>&1 || true
		done
		if declare -F case_teardown >/dev/null; then
			case_teardown >>"$LOG_DIR/$CASE_NAME.log" 2>&1 || true
		fi
	}
	trap case_exit EXIT
	# A command that handles SIGINT itself (podman does) exits normally and
	# bash then carries on; these traps make ^C stop the case after it.
	trap 'exit 130' INT
	trap 'exit 143' TERM

	local any=0
	for c in "${CASE_CONTENDERS[@]}"; do
		[[ ${status[$c]} == ok ]] && any=1
	done
	if ((any)) && declare -F case_setup >/dev/null && ! case_setup >>"$LOG_DIR/$CASE_NAME.log" 2>&1; then
		bench_log "   case setup failed; see $LOG_DIR/$CASE_NAME.log:"
		tail -n 15 "$LOG_DIR/$CASE_NAME.log" | sed 's/^/   | /' >&2
		for c in "${CASE_CONTENDERS[@]}"; do
			[[ ${status[$c]} == ok ]] || continue
			status[$c]=failed detail[$c]="case setup failed"
		done
	fi

	for c in "${CASE_CONTENDERS[@]}"; do
		[[ ${status[$c]} == ok ]] || continue
		s=${sfx[$c]}
		: >"$LOG_DIR/$CASE_NAME.$c.log"
		exec {fd}>>"$LOG_DIR/$CASE_NAME.$c.log"
		logfd[$c]=$fd
		if declare -F "setup_$s" >/dev/null; then
			if "setup_$s" >&"${logfd[$c]}" 2>&1; then
				setup_done+=("$c")
			else
				status[$c]=failed detail[$c]="setup failed"
				bench_log "   $c: setup failed; see $LOG_DIR/$CASE_NAME.$c.log:"
				tail -n 15 "$LOG_DIR/$CASE_NAME.$c.log" | sed 's/^/   | /' >&2
				continue
			fi
		fi
		samples[$c]=$CASE_TMP/samples.$s
		: >"${samples[$c]}"
		active+=("$c")
	done

	# The timed loop: every iteration runs each active contender once, in
	# the declared order; the prepare and cleanup steps are not timed.
	local -a still=()
	local total=$((WARMUP + ITERATIONS))
	local announced=0
	if ((${#active[@]})); then
		announced=1
		printf '   %s: %d warm-up + %d timed runs each, interleaved ' \
			"${active[*]}" "$WARMUP" "$ITERATIONS" >&2
	fi
	for ((i = 0; i < total; i++)); do
		((${#active[@]})) || break
		still=()
		for c in "${active[@]}"; do
			s=${sfx[$c]}
			ITER=$i
			CMD=()
			if ! "prepare_$s" >&"${logfd[$c]}" 2>&1 || ((${#CMD[@]} == 0)); then
				status[$c]=failed detail[$c]="prepare failed (iteration $((i + 1)))"
				continue
			fi
			printf '\n## iteration %d: %s\n' "$((i + 1))" "${CMD[*]}" >&"${logfd[$c]}"
			if [[ -n $TIMEIT ]]; then
				# timeit spawns the command and reports its wall time (µs) on fd 3.
				t1=$("$TIMEIT" "${CMD[@]}" 3>&1 </dev/null >&"${logfd[$c]}" 2>&1)
				rc=$?
				t0=0
				[[ $t1 =~ ^[0-9]+$ ]] || t1=-1
			else
				bench_now_us
				t0=$NOW_US
				"${CMD[@]}" </dev/null >&"${logfd[$c]}" 2>&1
				rc=$?
				bench_now_us
				t1=$NOW_US
			fi
			bench_call "cleanup_$s" >&"${logfd[$c]}" 2>&1 || true
			if ((rc != 0)); then
				status[$c]=failed detail[$c]="exit status $rc (iteration $((i + 1)))"
				continue
			fi
			# EPOCHREALTIME is the wall clock: a step of the clock during a
			# run shows as a negative time; drop such a sample.
			if ((i >= WARMUP && t1 >= t0)); then
				printf '%d\n' "$((t1 - t0))" >>"${samples[$c]}"
			fi
			still+=("$c")
		done
		active=("${still[@]}")
		((i % 5 == 4)) && printf '.' >&2
	done
	((announced)) && printf '\n' >&2

	# Peak RSS: one more, untimed run of each contender under /usr/bin/time.
	for c in "${active[@]}"; do
		s=${sfx[$c]}
		rss[$c]=-
		[[ -x /usr/bin/time ]] || continue
		# shellcheck disable=SC2034  # read by the case's prepare_*
		ITER=$total
		CMD=()
		if ! "prepare_$s" >&"${logfd[$c]}" 2>&1 || ((${#CMD[@]} == 0)); then
			continue
		fi
		printf '\n## peak RSS run: %s\n' "${CMD[*]}" >&"${logfd[$c]}"
		/usr/bin/time -f %M -o "$CASE_TMP/rss.$s" "${CMD[@]}" </dev/null >&"${logfd[$c]}" 2>&1
		rc=$?
		bench_call "cleanup_$s" >&"${logfd[$c]}" 2>&1 || true
		if ((rc != 0)); then
			status[$c]=failed detail[$c]="exit status $rc (peak RSS run)"
			continue
		fi
		rss[$c]=$(tail -n 1 "$CASE_TMP/rss.$s")
	done

	for c in "${CASE_CONTENDERS[@]}"; do
		s=${sfx[$c]}
		if [[ ${status[$c]} == ok ]]; then
			tsum=$(bench_stats "${samples[$c]}")
			# shellcheck disable=SC2086  # split the six numbers into fields
			printf '%s\t%s\t%s\tok\t-\t%s\t%s\n' "$CASE_NAME" "$CASE_TITLE" "$c" \
				"$(printf '%s\t' $tsum | sed 's/\t$//')" "${rss[$c]}" >>"$RESULTS_TSV"
		else
			printf '%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\n' "$CASE_NAME" "$CASE_TITLE" "$c" \
				"${status[$c]}" "${detail[$c]}" >>"$RESULTS_TSV"
			if [[ ${status[$c]} == failed ]]; then
				failed=1
				bench_log "   $c: FAILED: ${detail[$c]}; see $LOG_DIR/$CASE_NAME.$c.log:"
				if [[ -s $LOG_DIR/$CASE_NAME.$c.log ]]; then
					tail -n 15 "$LOG_DIR/$CASE_NAME.$c.log" | sed 's/^/   | /' >&2
				fi
			fi
		fi
	done
	return "$failed"
}

# ---------------------------------------------------------------------------
# Reports, from $RESULTS_TSV.

# ratio_words MC MO OTHER: "5.80x faster than OTHER" (MC: this contender's
# median, MO: the other's).
ratio_words() {
	awk -v a="$1" -v b="$2" -v o="$3" -v md="$4" 'BEGIN {
		r = b / a
		if (r >= 1) s = sprintf("%.2f× faster than %s", r, o)
		else s = sprintf("%.2f× slower than %s", 1 / r, o)
		if (md && r >= 1) s = "**" s "**"
		print s
	}'
}

# ratios CASE CONTENDER MARKDOWN: the ratios of CONTENDER's median to the others'.
ratios() {
	local case=$1 me=$2 md=$3 mine out='' name med
	mine=$(awk -F '\t' -v k="$case" -v c="$me" '$1 == k && $3 == c && $4 == "ok" { print $8 }' "$RESULTS_TSV")
	[[ -n $mine ]] || { printf '—'; return; }
	while IFS=$'\t' read -r name med; do
		[[ -n $out ]] && out+="; "
		out+=$(ratio_words "$mine" "$med" "$name" "$md")
	done < <(awk -F '\t' -v k="$case" -v c="$me" '$1 == k && $3 != c && $4 == "ok" { print $3 "\t" $8 }' "$RESULTS_TSV")
	printf '%s' "${out:-—}"
}

case_names() { awk -F '\t' '!seen[$1]++ { print $1 }' "$RESULTS_TSV"; }

print_summary() {
	local k name st det mn med mean p90 rss title
	for k in $(case_names); do
		title=$(awk -F '\t' -v k="$k" '$1 == k { print $2; exit }' "$RESULTS_TSV")
		printf '\n%s — %s\n' "$k" "$title"
		printf '  %-16s %10s %10s %10s %10s %12s  %s\n' contender 'median ms' 'min ms' 'mean ms' 'p90 ms' 'peak RSS KiB' 'ratio'
		while IFS=$'\t' read -r _ _ name st det _ mn med mean p90 _ rss; do
			case $st in
			ok) printf '  %-16s %10.2f %10.2f %10.2f %10.2f %12s  %s\n' "$name" "$med" "$mn" "$mean" "$p90" "$rss" \
				"$(ratios "$k" "$name" 0)" ;;
			na) printf '  %-16s %s\n' "$name" "n/a ($det)" ;;
			*) printf '  %-16s %s\n' "$name" "FAILED ($det)" ;;
			esac
		done < <(awk -F '\t' -v k="$k" '$1 == k' "$RESULTS_TSV")
		# The headline: for each pair, slower / faster.
		headline "$k" "  => " ""
	done
}

# headline CASE PREFIX SUFFIX: for each pair of contenders, slower / faster, raw and
# net of the process-start floor (what the harness itself adds to every run).
headline() {
	awk -F '\t' -v k="$1" -v pre="$2" -v suf="$3" -v fl="$FLOOR_MS" '$1 == k && $4 == "ok" { n++; c[n] = $3; m[n] = $8 }
		END {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
				f = i; s = j; if (m[j] < m[i]) { f = j; s = i }
				net = (m[f] > fl) ? (m[s] - fl) / (m[f] - fl) : 0
				printf "%s%s / %s = %.2f: %s is %.2f× faster (%.2f× net of the %.2f ms process-start floor)%s\n", pre, c[s], c[f], m[s] / m[f], c[f], m[s] / m[f], net, fl, suf
			}
		}' "$RESULTS_TSV"
}

cgroup_layout() {
	local t
	t=$(stat -fc %T /sys/fs/cgroup 2>/dev/null)
	if [[ $t == cgroup2fs ]]; then
		echo "v2 (unified)"
	elif grep -qs ' /sys/fs/cgroup/unified cgroup2 ' /proc/self/mounts; then
		echo "v1 hybrid (v1 controllers, v2 at /sys/fs/cgroup/unified)"
	elif [[ -n $t ]]; then
		echo "v1 (legacy)"
	else
		echo "none mounted"
	fi
}

version_of() {
	local v
	case $1 in
	runc) bench_have runc && v=$(timeout 10 runc --version 2>/dev/null | head -n 1) ;;
	podman) bench_have podman && v=$(timeout 10 podman --version 2>/dev/null | head -n 1) ;;
	cuttle) [[ -x $BENCH_BUILD/cuttle ]] && v=$(timeout 10 "$BENCH_BUILD/cuttle" --version 2>/dev/null | head -n 1) ;;
	esac
	printf '%s' "${v:-not installed}"
}

# shellcheck disable=SC2016  # backquotes are markdown here
write_results_md() {
	local md=$1 chart=$2 k name st det mn med mean p90 rss title rev os cpu mem
	rev=$(git -C "$BENCH_SRC" rev-parse --short HEAD 2>/dev/null) || rev=
	os=$(. /etc/os-release 2>/dev/null && printf '%s' "${PRETTY_NAME:-}")
	cpu=$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
	{
		printf '# cuttle benchmarks\n\n'
		printf 'Generated by `bench/run.sh` on %s. Lower times are better; a ratio is\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
		printf 'the other contender'"'"'s median divided by this one'"'"'s. Timings are informative\n'
		printf 'only: they never fail a build. How to run and read: [README.md](README.md).\n\n'
		printf '## Machine\n\n'
		printf '| | |\n|---|---|\n'
		printf '| CPUs (nproc) | %s%s |\n' "$(nproc)" "${cpu:+ × $cpu}"
		printf '| memory | %s |\n' "${mem:-?}"
		printf '| kernel | %s |\n' "$(uname -r)"
		printf '| OS | %s |\n' "${os:-?}"
		printf '| cgroups | %s |\n' "$(cgroup_layout)"
		printf '\n## Versions\n\n'
		printf '| | |\n|---|---|\n'
		printf '| cuttle | %s%s, built in `%s` |\n' "$(version_of cuttle)" "${rev:+ (commit $rev)}" "$BENCH_BUILD"
		printf '| runc | %s |\n' "$(version_of runc)"
		printf '| podman | %s |\n' "$(version_of podman)"
		printf '\n## Method\n\n'
		printf '%d timed runs per contender after %d warm-up run(s), contenders interleaved\n' "$ITERATIONS" "$WARMUP"
		if [[ -n $TIMEIT ]]; then
			printf '(A B A B …); wall time of each run measured by `bench/timeit` (posix_spawn +\n'
			printf 'wait, CLOCK_MONOTONIC, µs), the\n'
		else
			printf '(A B A B …); wall time of each run from bash'"'"'s `EPOCHREALTIME` (µs), the\n'
		fi
		printf 'untimed prepare/cleanup steps excluded. Peak RSS: `/usr/bin/time -f %%M` of one\n'
		printf 'extra run (largest resident set of the command and the children it waited for).\n'
		printf 'Floor: starting `/bin/true` the same way takes %s ms (median of 20); every\n' "$FLOOR_MS"
		printf 'time below includes that much process start-up.\n'
		[[ -n $chart ]] && printf '\n![median wall time per case and contender](%s)\n' "$chart"
		for k in $(case_names); do
			title=$(awk -F '\t' -v k="$k" '$1 == k { print $2; exit }' "$RESULTS_TSV")
			printf '\n## %s\n\n%s\n\n' "$k" "$title"
			printf '| contender | median ms | min ms | mean ms | p90 ms | peak RSS KiB | ratio vs the others |\n'
			printf '|---|--:|--:|--:|--:|--:|---|\n'
			while IFS=$'\t' read -r _ _ name st det _ mn med mean p90 _ rss; do
				case $st in
				ok) printf '| %s | %.2f | %.2f | %.2f | %.2f | %s | %s |\n' "$name" "$med" "$mn" "$mean" "$p90" "$rss" \
					"$(ratios "$k" "$name" 1)" ;;
				na) printf '| %s | n/a | | | | | n/a (%s) |\n' "$name" "$det" ;;
				*) printf '| %s | failed | | | | | **FAILED**: %s |\n' "$name" "$det" ;;
				esac
			done < <(awk -F '\t' -v k="$k" '$1 == k' "$RESULTS_TSV")
			printf '\n'
			headline "$k" "**" "**"
		done
	} >"$md"
}

# The colour of a contender's bars: ours green, runc blue, podman orange.
contender_color() {
	case $1 in
	cuttle*) echo 0x2e8b57 ;;
	runc) echo 0x4169e1 ;;
	podman) echo 0xe07b39 ;;
	*) echo 0x8e6bb8 ;;
	esac
}

# draw_chart PNG: grouped bars, one group per case, one bar per contender.
# shellcheck disable=SC2016  # $1, $2 are gnuplot's
draw_chart() {
	local png=$1 dat=$WORK/chart.dat gp=$WORK/chart.gp k name st med x=0 xtics='' labels='' head lo hi logscale=0 center first
	bench_have gnuplot || { bench_warn "gnuplot not installed (apt-get install gnuplot-nox): no chart"; return 1; }
	: >"$dat"
	for k in $(case_names); do
		first=$x
		while IFS=$'\t' read -r name st med; do
			x=$((x + 1))
			[[ -n $xtics ]] && xtics+=", "
			xtics+="\"$name\" $x"
			if [[ $st == ok ]]; then
				printf '%d\t%s\t%d\t%s\n' "$x" "$med" "$(($(contender_color "$name")))" "$name" >>"$dat"
			else
				[[ $st == na ]] && st=n/a
				labels+="set label \"$st\" at $x, graph 0.04 center textcolor rgb \"#888888\""$'\n'
			fi
		done < <(awk -F '\t' -v k="$k" '$1 == k { print $3 "\t" $4 "\t" $8 }' "$RESULTS_TSV")
		center=$(awk -v a="$first" -v b="$x" 'BEGIN { printf "%.1f", (a + 1 + b) / 2 }')
		labels+="set label \"$k\" at $center, graph -0.13 center font \",13\""$'\n'
		# Under the case name: how the first contender (ours) compares.
		head=$(awk -F '\t' -v k="$k" '$1 == k && $4 == "ok" { n++; c[n] = $3; m[n] = $8 }
			END {
				for (j = 2; j <= n; j++) {
					r = m[j] / m[1]
					s = s (s == "" ? "" : ", ") sprintf("%.1f× %s than %s", r >= 1 ? r : 1 / r, r >= 1 ? "faster" : "slower", c[j])
				}
				if (s != "") print c[1] " " s
			}' "$RESULTS_TSV")
		[[ -n $head ]] && labels+="set label \"$head\" at $center, graph -0.19 center font \",10\""$'\n'
		x=$((x + 1)) # a gap between groups
	done
	# Log scale when the medians are more than 10× apart.
	read -r lo hi < <(awk '{ if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 } END { print (min == "" ? 1 : min), (max == "" ? 1 : max) }' "$dat")
	if awk -v a="$lo" -v b="$hi" 'BEGIN { exit !(b > 10 * a) }'; then logscale=1; fi
	{
		printf 'set encoding utf8\n'
		printf 'set terminal pngcairo size %d,600 font "sans,11"\n' "$((x * 80 + 300 < 760 ? 760 : x * 80 + 300))"
		printf 'set output "%s"\n' "$png"
		printf 'set title "cuttle vs. runc / podman — median wall time per run (lower is better)" font ",13"\n'
		printf 'set ylabel "median ms%s"\n' "$( ((logscale)) && printf ' (log scale)')"
		printf 'set xtics (%s) scale 0 font ",11"\n' "$xtics"
		printf 'set xrange [0.3:%s]\n' "$((x - 1)).7"
		printf 'set bmargin 7\nset key off\nset grid ytics lc rgb "#dddddd"\nset border 3\nset ytics nomirror\n'
		printf 'set style fill solid 0.9 border rgb "#333333"\n'
		if ((logscale)); then
			printf 'set logscale y\nymin = %s / 2.0\nset yrange [ymin:%s * 2.5]\n' "$lo" "$hi"
		else
			printf 'ymin = 0\nset yrange [0:%s * 1.2]\n' "$hi"
		fi
		printf '%s' "$labels"
		if [[ -s $dat ]]; then
			printf 'plot "%s" using 1:2:($1-0.4):($1+0.4):(ymin):2:3 with boxxyerror lc rgb variable, \\\n' "$dat"
			printf '     "" using 1:2:(sprintf("%%.1f ms", $2)) with labels offset 0,0.7 font ",10"\n'
		else
			printf 'plot 1/0 notitle\n' # nothing measured: the axes and the n/a labels only
		fi
	} >"$gp"
	gnuplot "$gp" 2>"$WORK/gnuplot.err" || { bench_warn "gnuplot failed:"; cat "$WORK/gnuplot.err" >&2; return 1; }
}

# ---------------------------------------------------------------------------

# The timer: bench/timeit (built with the project) spawns each command and times
# it alone; without it, bash's clock around the command (which adds a fork of bash).
TIMEIT=
[[ -x $BENCH_BUILD/timeit ]] && TIMEIT=$BENCH_BUILD/timeit

# The floor: what starting a trivial program costs, timed the same way.
: >"$WORK/floor"
for ((i = 0; i < 21; i++)); do
	if [[ -n $TIMEIT ]]; then
		us=$("$TIMEIT" /bin/true 3>&1 </dev/null >/dev/null 2>&1)
	else
		bench_now_us
		t0=$NOW_US
		/bin/true </dev/null >/dev/null 2>&1
		bench_now_us
		us=$((NOW_US - t0))
	fi
	((i == 0)) || printf '%d\n' "$us" >>"$WORK/floor"
done
FLOOR_MS=$(bench_stats "$WORK/floor" | awk '{ printf "%.2f", $3 }')

rc=0
for f in "${CASE_FILES[@]}"; do
	(run_case "$f") || rc=1
done

[[ -s $RESULTS_TSV ]] || bench_die "no results"
print_summary
printf '\n(floor: starting /bin/true the same way takes %s ms)\n' "$FLOOR_MS"

mkdir -p "$OUT_DIR" || bench_die "cannot create $OUT_DIR"
chart=
if ((CHART)) && draw_chart "$WORK/results.png"; then
	mv "$WORK/results.png" "$OUT_DIR/results.png"
	chart=results.png
fi
write_results_md "$OUT_DIR/RESULTS.md" "$chart"
printf '\nwrote %s%s (logs: %s)\n' "$OUT_DIR/RESULTS.md" "${chart:+ and $OUT_DIR/$chart}" "$LOG_DIR"
((rc == 0)) || bench_log "bench: a contender's command failed (see above); exit status 1"
exit "$rc"
