#!/usr/bin/env bash
# bench/journal.sh — the journal input against journalctl alone.
#
#   bench/journal.sh [ENTRIES [RUNS]]    default 200000 entries, 3 runs
#
# It writes a journal of ENTRIES entries into bench/out/journal-ENTRIES/
# (once: systemd-journal-remote from bench/journalgen's export format;
# sshd, cron and kernel entries with the fields a real journal has), then
# times `journalctl --directory DIR -o json > /dev/null` alone, the same
# with the flags the journal input passes, and the journal input itself
# (BenchmarkJournalInput: journalctl and roomwatch's decoding, syslog
# line and batching), and prints wall time and CPU time of each. On a
# shared machine the CPU times are the figures to compare.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-200000}
runs=${2:-3}
remote=/lib/systemd/systemd-journal-remote
command -v journalctl >/dev/null || { echo "bench/journal.sh: journalctl is missing (Debian: systemd)" >&2; exit 1; }
[[ -x $remote ]] || { echo "bench/journal.sh: $remote is missing (Debian: systemd-journal-remote)" >&2; exit 1; }

dir=bench/out/journal-$entries
if [[ ! -f $dir/done ]]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "writing $entries entries into $dir (about a minute per 200000)"
	go run ./bench/journalgen -n "$entries" > "$dir/entries.export"
	"$remote" --split-mode=none -o "$dir/x.journal" "$dir/entries.export" 2>/dev/null
	rm "$dir/entries.export"
	touch "$dir/done"
fi
n=$(journalctl --directory "$dir" --merge -o json | wc -l)
echo "journal: $n entries in $(du -sh "$dir" | cut -f1)"

TIMEFORMAT='%R s wall, %U s user, %S s sys'
echo "journalctl --directory $dir -o json > /dev/null:"
for ((i = 0; i < runs; i++)); do time journalctl --directory "$dir" -o json >/dev/null; done
flags=(--merge --output=json --all --no-pager --output-fields=MESSAGE,_HOSTNAME,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_COMM,_PID,SYSLOG_PID,PRIORITY --no-tail)
echo "journalctl --directory $dir ${flags[*]} > /dev/null (what the journal input runs):"
for ((i = 0; i < runs; i++)); do time journalctl --directory "$dir" "${flags[@]}" >/dev/null; done
echo "the journal input (format: syslog), entries/s and CPU per entry:"
ROOMWATCH_BENCH_JOURNAL=$PWD/$dir ROOMWATCH_BENCH_ENTRIES=$n \
	go test ./tailer -run '^$' -bench BenchmarkJournalInput -benchtime "${runs}x" | grep Benchmark
