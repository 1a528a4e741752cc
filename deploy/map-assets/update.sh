#!/usr/bin/env bash
# Rebuilds services/correlator/static/vendor/ (the incident map's browser libraries and map data) from the
# exact versions pinned in package.json / package-lock.json beside this script, so the bundle is
# reproducible. Needs Node and npm and the npm registry; the page itself then needs neither (the
# correlator serves these files from /map/vendor/).
#
#   deploy/map-assets/update.sh            # reinstall and copy
#   deploy/map-assets/update.sh --check    # reinstall and fail if the vendored files differ
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
vendor="$(cd "$here/../.." && pwd)/services/correlator/static/vendor"
check=0
[[ "${1:-}" == "--check" ]] && check=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$work/"
[[ -f "$here/package-lock.json" ]] && cp "$here/package-lock.json" "$work/"
(
  cd "$work"
  if [[ -f package-lock.json ]]; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  else
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
)
nm="$work/node_modules"

# source (under node_modules) -> file in vendor/
files=(
  "d3-array/dist/d3-array.min.js:d3-array.min.js"
  "d3-array/LICENSE:LICENSE.d3-array"
  "internmap/LICENSE:LICENSE.internmap"
  "d3-geo/dist/d3-geo.min.js:d3-geo.min.js"
  "d3-geo/LICENSE:LICENSE.d3-geo"
  "topojson-client/dist/topojson-client.min.js:topojson-client.min.js"
  "topojson-client/LICENSE:LICENSE.topojson-client"
  "world-atlas/countries-110m.json:countries-110m.json"
  "world-atlas/countries-50m.json:countries-50m.json"
  "world-atlas/LICENSE:LICENSE.world-atlas"
)

out="$work/vendor"
mkdir -p "$out"
for pair in "${files[@]}"; do
  cp "$nm/${pair%%:*}" "$out/${pair##*:}"
done

# Each package's version as installed, for a quick look against vendor/README.md.
for pkg in d3-array internmap d3-geo topojson-client world-atlas; do
  printf '%s %s\n' "$pkg" "$(node -p "require('$nm/$pkg/package.json').version")"
done

if (( check )); then
  status=0
  for pair in "${files[@]}"; do
    name="${pair##*:}"
    if ! cmp -s "$out/$name" "$vendor/$name"; then
      echo "differs: vendor/$name" >&2
      status=1
    fi
  done
  (( status == 0 )) && echo "vendor/ matches package-lock.json"
  exit "$status"
fi

mkdir -p "$vendor"
for pair in "${files[@]}"; do
  cp "$out/${pair##*:}" "$vendor/${pair##*:}"
done
echo "copied ${#files[@]} files into $vendor (README.md there is kept by hand: update its versions too)"
