#!/usr/bin/env bash
# packaging/build.sh VERSION: build roomwatch for release into dist/:
#   dist/roomwatch                  static binary (CGO_ENABLED=0, -trimpath, stripped),
#                                   stamped with VERSION and the commit
#   dist/roomwatch_VERSION-1_ARCH.deb, dist/roomwatch-VERSION-1.ARCH.rpm
# (or into $DIST)
# with the unit, the example config, the rule packs, the man page and the
# bash/zsh/fish completions. GOARCH picks another architecture (amd64 default).
# nfpm is pinned in packaging/tools/go.mod and run with `go tool`.
set -euo pipefail
version=${1:?usage: packaging/build.sh VERSION (for example 1.0.0)}
version=${version#v}
case $version in
[0-9]*) ;;
*) echo "packaging/build.sh: VERSION must start with a digit, got $version" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit=$commit-modified
fi
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export GOARCH=${GOARCH:-$(go env GOARCH)}
dist=${DIST:-$top/dist} # DIST=DIR: write into DIR instead (tests do)
mkdir -p "$dist"
rm -rf "$dist/completions" "$dist/roomwatch" "$dist"/roomwatch[_-]*.deb "$dist"/roomwatch-*.rpm
mkdir -p "$dist/completions"

echo "building roomwatch $version ($commit) for linux/$GOARCH"
CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false \
	-ldflags "-s -w -X main.version=$version -X main.commit=$commit" \
	-o "$dist/roomwatch" ./cmd/roomwatch

# The man page and completions come from the binary's own --help; a binary
# for this machine makes them when the package is for another architecture.
gen=$dist/roomwatch
if [ "$GOARCH" != "$(GOARCH= go env GOHOSTARCH)" ]; then
	gen=$dist/roomwatch-host
	GOARCH=$(go env GOHOSTARCH) CGO_ENABLED=0 go build -trimpath -buildvcs=false \
		-ldflags "-X main.version=$version" -o "$gen" ./cmd/roomwatch
fi
"$gen" man | gzip -9n > "$dist/roomwatch.1.gz"
"$gen" completion bash > "$dist/completions/roomwatch.bash"
"$gen" completion zsh > "$dist/completions/_roomwatch"
"$gen" completion fish > "$dist/completions/roomwatch.fish"
rm -f "$dist/roomwatch-host"

# The packaged unit runs the packaged binary.
sed 's#/usr/local/bin/roomwatch#/usr/bin/roomwatch#g' systemd/roomwatch.service > "$dist/roomwatch.service"

date=$(date -u -d "@$SOURCE_DATE_EPOCH" -R)
printf 'roomwatch (%s-1) unstable; urgency=medium\n\n  * Release %s (commit %s).\n\n -- roomwatch maintainers <roomwatch@users.noreply.github.com>  %s\n' \
	"$version" "$version" "$commit" "$date" | gzip -9n > "$dist/changelog.Debian.gz"

export VERSION=$version ARCH=$GOARCH
for p in deb rpm; do
	go tool -modfile=packaging/tools/go.mod nfpm package --config packaging/nfpm.yaml --packager "$p" --target "$dist/" >/dev/null
done
(cd "$dist" && ls -l roomwatch *.deb *.rpm)
