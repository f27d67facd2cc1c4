#!/usr/bin/env bash
# Debian packages the tests run for real: systemd-analyze (the unit's rating).
# Each later setup script adds what its tests need to PACKAGES in its own file
# under .ci/setup/packages/, one package a line.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t want < <(cat packages/*.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "all ${#want[@]} packages installed"
fi
