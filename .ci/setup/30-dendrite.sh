#!/usr/bin/env bash
# The Matrix homeserver the tests run for real (cmd/roomwatch/matrix_integration_test.go):
# Dendrite v0.13.8 from matrix-org (Apache-2.0; not the element-hq fork, which is AGPL),
# built once into $ROOMWATCH_CI_CACHE/dendrite-v0.13.8/ and reused by later runs.
# A cold build takes about 7 minutes on two busy cores and needs gcc (cgo SQLite).
set -euo pipefail
version=v0.13.8
dir=${ROOMWATCH_CI_CACHE:-/var/cache/roomwatch-ci}/dendrite-$version
bins=(dendrite create-account generate-config generate-keys)
have=1
for b in "${bins[@]}"; do
	[ -x "$dir/$b" ] || have=0
done
if [ $have = 1 ]; then
	echo "dendrite $version: cached in $dir"
	exit 0
fi
command -v gcc >/dev/null || {
	echo "dendrite needs gcc (cgo SQLite): apt-get install gcc" >&2
	exit 1
}
mkdir -p "$dir.tmp"
pkgs=()
for b in "${bins[@]}"; do
	pkgs+=("github.com/matrix-org/dendrite/cmd/$b@$version")
done
echo "building dendrite $version into $dir"
CGO_ENABLED=1 GOBIN="$dir.tmp" go install "${pkgs[@]}"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
