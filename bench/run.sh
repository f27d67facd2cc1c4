#!/usr/bin/env bash
# bench/run.sh — roomwatch against GNU grep on the same large log.
#
#   bench/run.sh [LINES [RUNS]]     default 500000 lines, 5 runs of each command
#   bench/run.sh --big[=GB]         also stream a ~1 GB file (or GB gigabytes,
#                                   at most 16) and report the resident set
#                                   size while streaming and at its maximum
#
# It builds bench/out/big.log from testdata/loghub/*.log (all five systems
# mixed, digits varied so the lines are distinct), checks that
# `roomwatch test --json` counts per rule what an independent grep + awk
# reference counts (first match wins, unless, drop, continue), then times
# `roomwatch test --json`, `roomwatch pipe` and `LC_ALL=C grep -cE -f`
# alternately and prints the medians. Everything it writes is in bench/out/.
# ROOMWATCH_BIN=PATH times that binary instead of building ./cmd/roomwatch
# (to compare two builds the same hour).
set -euo pipefail

big=0
big_gb=1
args=()
while (($#)); do
	case $1 in
	--big) big=1 ;;
	--big=*)
		big=1
		big_gb=${1#--big=}
		[[ $big_gb =~ ^[0-9]+$ ]] && ((big_gb >= 1 && big_gb <= 16)) || {
			echo "bench/run.sh: --big=GB takes 1 to 16" >&2
			exit 2
		}
		;;
	-h | --help)
		sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) args+=("$1") ;;
	esac
	shift
done
lines=${args[0]:-500000}
runs=${args[1]:-5}

cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
rules=bench/rules.yaml
log=$out/big.log
bin=${ROOMWATCH_BIN:-$out/roomwatch}
export LC_ALL=C

die() {
	echo "bench: $*" >&2
	exit 1
}

echo "building roomwatch and the input ($lines lines)..."
[[ -n ${ROOMWATCH_BIN:-} ]] || go build -o "$bin" ./cmd/roomwatch
go build -o "$out/gen" ./bench/gen
"$out/gen" -n "$lines" -o "$log" testdata/loghub/*.log

# rule_field KEY prints, for every rule in order, the single-quoted value
# of KEY (or an empty line when the rule has none).
rule_field() {
	awk -v key="$1" '
		/^rules:/ { inrules = 1; next }
		!inrules { next }
		/^  - name: / { if (n) print val; n++; val = ""; next }
		$0 ~ "^    " key ": '\''" {
			v = $0; sub("^    " key ": '\''", "", v); sub("'\''$", "", v); val = v
		}
		/^    action: drop/ && key == "action" { val = "drop" }
		/^    continue: true/ && key == "continue" { val = "true" }
		END { if (n) print val }
	' "$rules"
}
mapfile -t names < <(awk '/^  - name: / { print $3 }' "$rules")
mapfile -t matches < <(rule_field match)
mapfile -t unlesses < <(rule_field unless)
mapfile -t actions < <(rule_field action)
mapfile -t continues < <(rule_field continue)
nrules=${#names[@]}
((nrules == ${#matches[@]})) || die "could not read the rules of $rules"

# grep knows no named groups: (?P<x>...) becomes (...).
ere() { sed 's/(?P<[A-Za-z_][A-Za-z0-9_]*>/(/g'; }
printf '%s\n' "${matches[@]}" | ere >"$out/patterns.txt"

echo "checking the counts against grep..."
"$bin" test --json -c "$rules" "$log" >"$out/test.json"
got_lines=$(sed -n 's/^  "lines": \([0-9]*\),$/\1/p' "$out/test.json")
got_matched=$(sed -n 's/^  "matched": \([0-9]*\),$/\1/p' "$out/test.json")
sed -n 's/^      "matches": \([0-9]*\),$/\1/p' "$out/test.json" >"$out/got.txt"

# The reference: the line numbers each pattern (and each unless) matches,
# by grep alone, then first-match-wins applied per line by awk.
ref=$out/ref
rm -rf "$ref" && mkdir -p "$ref"
for ((i = 0; i < nrules; i++)); do
	grep -nE -e "$(ere <<<"${matches[i]}")" "$log" | cut -d: -f1 >"$ref/m$i" || true
	if [[ -n ${unlesses[i]} ]]; then
		grep -nE -e "$(ere <<<"${unlesses[i]}")" "$log" | cut -d: -f1 >"$ref/u$i" || true
	else
		: >"$ref/u$i"
	fi
done
for ((i = 0; i < nrules; i++)); do
	echo "${actions[i]:-notify} ${continues[i]:-false}"
done >"$ref/kinds"
awk -v n="$nrules" -v dir="$ref" '
	BEGIN {
		for (i = 0; i < n; i++) {
			getline k < (dir "/kinds"); split(k, f, " "); drop[i] = f[1] == "drop"; cont[i] = f[2] == "true"
			while ((getline l < (dir "/m" i)) > 0) { m[i, l] = 1; cand[l] = 1 }
			while ((getline l < (dir "/u" i)) > 0) u[i, l] = 1
			count[i] = 0
		}
		for (l in cand) {
			hit = 0
			for (i = 0; i < n; i++) {
				if (!((i, l) in m) || ((i, l) in u)) continue
				count[i]++; hit = 1
				if (drop[i] || !cont[i]) break
			}
			matched += hit
		}
		for (i = 0; i < n; i++) print count[i] > (dir "/want.txt")
		print matched + 0
	}
' >"$ref/matched"
want_matched=$(cat "$ref/matched")
grep_matched=$(grep -cE -f "$out/patterns.txt" "$log" || true)
if ! diff <(paste -d' ' <(printf '%s\n' "${names[@]}") "$ref/want.txt") \
	<(paste -d' ' <(printf '%s\n' "${names[@]}") "$out/got.txt") >"$out/diff.txt"; then
	cat "$out/diff.txt" >&2
	die "per-rule counts differ from the grep reference (< reference, > roomwatch test)"
fi
[[ $got_lines == "$lines" ]] || die "roomwatch read $got_lines lines, the file has $lines"
[[ $got_matched == "$want_matched" ]] || die "roomwatch matched $got_matched lines, the reference $want_matched"
[[ $got_matched == "$grep_matched" ]] || die "roomwatch matched $got_matched lines, grep -cE -f patterns.txt $grep_matched"
echo "ok: $nrules rules, $lines lines, $got_matched matched; every rule's count equals the reference"

# seconds CMD... runs CMD with its output discarded and prints its wall time.
seconds() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000000))"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
run_test() { "$bin" test --json -c "$rules" "$log"; }
run_pipe() { "$bin" pipe -c "$rules" <"$log"; }
# grep stops at the first match when its output is /dev/null: keep the count.
run_grep() { grep -cE -f "$out/patterns.txt" "$log" >"$out/grep.count" || true; }

echo "timing, $runs runs of each, alternately..."
: >"$out/t.test" && : >"$out/t.pipe" && : >"$out/t.grep"
for ((r = 0; r < runs; r++)); do
	seconds run_grep >>"$out/t.grep"
	seconds run_test >>"$out/t.test"
	seconds run_pipe >>"$out/t.pipe"
done
g=$(median <"$out/t.grep")
t=$(median <"$out/t.test")
p=$(median <"$out/t.pipe")
mb=$(($(wc -c <"$log") / 1000000))

echo
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(go env GOVERSION), $(grep --version | head -1)"
echo "input: $lines lines, $mb MB, $nrules rules, $got_matched lines matched"
echo
awk -v g="$g" -v t="$t" -v p="$p" -v n="$lines" 'BEGIN {
	printf "| command | median wall | vs grep | lines/s |\n| --- | ---: | ---: | ---: |\n"
	printf "| `LC_ALL=C grep -cE -f patterns.txt` | %.3f s | 1.00× | %.2fM |\n", g / 1000, n / g / 1000
	printf "| `roomwatch test --json` | %.3f s | %.2f× | %.2fM |\n", t / 1000, t / g, n / t / 1000
	printf "| `roomwatch pipe > /dev/null` | %.3f s | %.2f× | %.2fM |\n", p / 1000, p / g, n / p / 1000
}'

if ((big)); then
	[[ -x /usr/bin/time ]] || die "--big needs GNU time in /usr/bin/time (apt-get install time)"
	blines=$((big_gb * 8500000))
	echo
	echo "streaming a ~${big_gb} GB file ($blines lines) for the resident set size..."
	free_kb=$(df -Pk "$out" | awk 'NR==2 {print $4}')
	((free_kb > (big_gb + 1) * 1100000)) || die "--big=$big_gb needs $((big_gb + 1)) GB free in $out"
	"$out/gen" -n "$blines" -seed 2 -o "$out/huge.log" testdata/loghub/*.log
	hmb=$(($(wc -c <"$out/huge.log") / 1000000))
	# rss CMD... runs CMD, samples its resident set every 50 ms, and prints
	# "PEAK STREAMING" in kB: the maximum of the whole run (GNU time), and
	# the maximum of the samples between 10% and 90% of the run, which
	# leaves out the start and the final flush of every open digest.
	rss() {
		/usr/bin/time -o "$out/time.txt" -f %M "$@" >/dev/null 2>&1 &
		local tpid=$!
		local pid=""
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			pid=$(pgrep -P "$tpid" | head -1) && [[ -n $pid ]] && break
			sleep 0.01
		done
		: >"$out/rss.txt"
		while [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; do
			awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null >>"$out/rss.txt" || true
			sleep 0.05
		done
		wait "$tpid" || true
		local n
		n=$(wc -l <"$out/rss.txt")
		echo "$(tail -1 "$out/time.txt") $(awk -v n="$n" 'NR > n / 10 && NR <= n * 9 / 10 && $1 > m { m = $1 } END { print m + 0 }' "$out/rss.txt")"
	}
	read -r tpeak tstream < <(rss "$bin" test --json -c "$rules" "$out/huge.log")
	read -r ppeak pstream < <(rss sh -c "exec '$bin' pipe -c '$rules' <'$out/huge.log'")
	echo "| command on $hmb MB | RSS while streaming | max RSS (with the final flush) |"
	echo "| --- | ---: | ---: |"
	echo "| \`roomwatch test --json\` | $((tstream / 1024)) MB | $((tpeak / 1024)) MB |"
	echo "| \`roomwatch pipe > /dev/null\` | $((pstream / 1024)) MB | $((ppeak / 1024)) MB |"
	rm -f "$out/huge.log"
fi
