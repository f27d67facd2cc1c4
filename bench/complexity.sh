#!/usr/bin/env bash
# bench/complexity.sh — the time one crafted line costs, by its length.
#
#   bench/complexity.sh [-b BIN]... [-s KIB,KIB,...] [-n KIB] [-r RUNS] [-t SECONDS]
#   bench/complexity.sh -g          the engine alone: go test -bench Complexity
#
# For each rule shape below (every one with group_by on a capture, which
# takes the capture path), it writes a log of crafted lines made of the
# rule's literal pieces repeated to KIB KiB (default 4,16,64), as many as
# make -n KiB in all (default 256, at least one line), followed by an
# ordinary line the rule matches, and measures the CPU time (user + sys)
# of `BIN test --json` over it (median of RUNS runs, default 3; a run is
# cut at SECONDS, default 120, and shown as ">SECONDS"). The time of the
# same command over the ordinary line alone is subtracted and the rest
# divided by the number of crafted lines: the cost of one crafted line.
# It prints the time per line, per KiB and the growth per doubling of the
# line's length between consecutive sizes (linear: 2; quadratic: 4; "res"
# when the times are too small for the CPU clock: raise -n).
# Without -b it builds ./cmd/roomwatch. Several -b compare binaries in the
# same run, alternating them. -g times the engine's Finder on the same
# shapes in-process (BenchmarkComplexity) and prints its table.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/complexity
mkdir -p "$out"
bins=()
sizes=4,16,64
runs=3
limit=120
total=256
while getopts "b:s:n:r:t:gh" o; do
	case $o in
	g)
		go test -run '^$' -bench Complexity ./rules/internal/match | sed -n '/shape/,/^$/p;/^\(FAIL\|ok\)/p'
		exit "${PIPESTATUS[0]}"
		;;
	b) bins+=("$OPTARG") ;;
	s) sizes=$OPTARG ;;
	n) total=$OPTARG ;;
	r) runs=$OPTARG ;;
	t) limit=$OPTARG ;;
	*)
		sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
		exit 2
		;;
	esac
done
if ((${#bins[@]} == 0)); then
	go build -o "$out/roomwatch" ./cmd/roomwatch
	bins=("$out/roomwatch")
fi
IFS=, read -r -a kibs <<<"$sizes"

# Each shape, tab-separated: a name, the regex, the group_by capture, the repeated piece,
# what ends the crafted line (so that the rule's literals are all there
# and the regex still fails, as late as it can), the ordinary line.
shapes=(
	$'ssh-failed\tssh: Failed password for .*from (?P<ip>.*) port (?P<port>\\d+)\tip\tssh: Failed password for from \t port x\tssh: Failed password for root from 10.0.0.1 port 22'
	$'sshd-user\tsshd.*user (?P<user>.*) from (?P<ip>\\S+)\tuser\tsshd user \t from \tsshd[1]: Invalid user bob from 10.0.0.2'
	$'foo-b-c\tfoo.*b(?P<x>.*)c\tx\tfoob\tx\tfoo b1c'
	$'leading-star\t.*(?P<x>a+)b\tx\ta\tx\taab'
	$'trailing-star\t(?P<x>err)or (?P<y>\\w+).*\tx\terro\tx\terror here'
	$'nested-caps\t((?P<x>(?P<y>[a-z]+)=)+(?P<z>\\d+))+;\tx\ta=1a=\tx\ta=1;'
	$'alt-literals\t(?P<x>alpha|beta|gamma)+ (?P<y>delta|epsilon) end\tx\talphabeta delta \tx\talpha delta end'
	$'unicode-class\t(?P<x>\\p{L}+)\\s+(?P<y>\\p{Nd}+)!\tx\té 1\tx\té 1!'
	$'case-fold\t(?i)FAILED .*for (?P<u>\\S+) (?P<p>\\d+)x\tu\tfailed for \ty\tFAILED x for u 1x'
)

cfg() { # name regex group
	cat <<YAML
destinations:
  null: {type: console, output: /dev/null}
defaults: {destination: null, room: Ops}
rules:
  - name: $1
    match: '$2'
    group_by: [$3]
YAML
}

# reps KIB: how many crafted lines of KIB KiB a log holds.
reps() { echo $((total / $1 > 0 ? total / $1 : 1)); }

# crafted PIECE SUFFIX KIB ORDINARY: the crafted lines then the ordinary one.
crafted() {
	awk -v p="$1" -v e="$2" -v n="$(($3 * 1024))" -v o="$4" -v r="$(reps "$3")" 'BEGIN {
		s = p; while (length(s) < n) s = s s; s = substr(s, 1, n - length(e)) e
		for (i = 0; i < r; i++) print s
		print o }'
}

# timed BIN CFG LOG prints the CPU time of one run in seconds, or -1 when cut.
timed() {
	local rc=0
	timeout "$limit" /usr/bin/time -f '%U %S' -o "$out/time" "$1" test --json -c "$2" "$3" >/dev/null 2>&1 || rc=$?
	if ((rc == 124)) || ! grep -q '^[0-9.]* [0-9.]*$' "$out/time"; then
		echo -1
		return
	fi
	tail -n 1 "$out/time" | awk '{ print $1 + $2 }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)]; print (m == "" ? -1 : m) }'; }

printf '%-14s %-10s %6s %12s %12s %10s\n' shape binary KiB "s/line" "ms/KiB" growth
for shape in "${shapes[@]}"; do
	IFS=$'\t' read -r name re group piece suffix ordinary <<<"$shape"
	cfg "$name" "$re" "$group" >"$out/$name.yaml"
	printf '%s\n' "$ordinary" >"$out/$name-0.log"
	for k in "${kibs[@]}"; do
		crafted "$piece" "$suffix" "$k" "$ordinary" >"$out/$name-$k.log"
	done
	declare -A prev=()
	for b in "${bins[@]}"; do
		prev[$b]=""
	done
	for k in "${kibs[@]}"; do
		declare -A res=()
		for b in "${bins[@]}"; do
			res[$b]=""
		done
		for ((r = 0; r < runs; r++)); do
			for b in "${bins[@]}"; do
				base=$(timed "$b" "$out/$name.yaml" "$out/$name-0.log")
				t=$(timed "$b" "$out/$name.yaml" "$out/$name-$k.log")
				if [[ $t == -1 ]]; then
					res[$b]+="-1 "
				else
					res[$b]+="$(echo "x = ($t - $base) / $(reps "$k"); if (x < 0) x = 0; x" | bc -l) "
				fi
			done
		done
		for b in "${bins[@]}"; do
			m=$(tr ' ' '\n' <<<"${res[$b]}" | grep . | median)
			if [[ $m == -1 ]]; then
				printf '%-14s %-10s %6s %12s %12s %10s\n' "$name" "$(basename "$b")" "$k" ">$limit" - -
				prev[$b]=cut
				continue
			fi
			growth=-
			if [[ -n ${prev[$b]} && ${prev[$b]} != cut ]]; then
				read -r pk pt <<<"${prev[$b]}"
				# growth per doubling: (t/pt)^(1/log2(k/pk)); "res" when
				# either log took under 50 ms of CPU, too little for the
				# clock's 10 ms ticks (raise -n).
				if [[ $(echo "$m * $(reps "$k") >= 0.05 && $pt * $(reps "$pk") >= 0.05" | bc -l) == 1 ]]; then
					growth=$(printf '%.2f' "$(echo "e(l($m / $pt) / (l($k / $pk) / l(2)))" | bc -l)")
				else
					growth=res
				fi
			fi
			printf '%-14s %-10s %6s %12.4f %12.4f %10s\n' "$name" "$(basename "$b")" "$k" "$m" "$(echo "$m * 1000 / $k" | bc -l)" "$growth"
			prev[$b]="$k $m"
		done
	done
done
