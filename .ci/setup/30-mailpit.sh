#!/usr/bin/env bash
# Mailpit, the real SMTP server the e-mail destination's tests send to
# (sender/email): built once into the CI cache.
set -euo pipefail
version=v1.33.1
dir=$ROOMWATCH_CI_CACHE/mailpit-$version
if [ -x "$dir/mailpit" ]; then
	echo "mailpit $version in $dir"
	exit 0
fi
mkdir -p "$dir"
GOBIN=$dir go install "github.com/axllent/mailpit@$version"
"$dir/mailpit" version || true
