#!/usr/bin/env bash
# Build self-hosted NHS.UK frontend assets into ../static/nhsuk/
#   concord.min.css          NHS.UK frontend + project CSS (asset URLs under /static/nhsuk/assets/)
#   nhsuk-frontend.min.js    NHS.UK frontend ES module bundle (exports initAll)
#   assets/                  icons, logos, favicons, manifest.json
#   VERSION                  nhsuk-frontend version and build date
# Requires Node >= 20.9 and npm. Run from anywhere: bash frontend/build.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

OUT=../static/nhsuk
PKG=node_modules/nhsuk-frontend
DIST=$PKG/dist/nhsuk

# --ignore-scripts: nothing here needs an install script (sass's optional
# @parcel/watcher ships a prebuilt binary; it is only used by `sass --watch`).
npm ci --ignore-scripts --no-audit --no-fund

VERSION=$(node -p "require('./$PKG/package.json').version")

rm -rf "$OUT"
mkdir -p "$OUT"

# CSS. --fatal-deprecation=<sass version> turns every deprecation known to the
# pinned sass into an error, so the build stays clean for the next sass major.
SASS_VERSION=$(node -p "require('./node_modules/sass/package.json').version")
npx --no-install sass --pkg-importer=node --style=compressed --no-source-map \
  --fatal-deprecation="$SASS_VERSION" \
  concord.scss "$OUT/concord.min.css"

# JS: the bundled ES module (export {..., initAll, ...}). The trailing
# sourceMappingURL comment is dropped because the .map is not shipped (and
# Django's ManifestStaticFilesStorage fails on a missing source map).
sed -e 's|//# sourceMappingURL=[^ ]*$||' "$DIST/nhsuk-frontend.min.js" > "$OUT/nhsuk-frontend.min.js"
grep -q 'initAll' "$OUT/nhsuk-frontend.min.js"

# Assets: images (icons, logos, favicons) and manifest.json.
cp -R "$DIST/assets" "$OUT/assets"

# Check every url(/static/nhsuk/...) in the CSS points to a file we ship.
missing=0
for u in $(grep -o 'url("\?/static/nhsuk/[^")]*' "$OUT/concord.min.css" | sed -e 's|^url("\{0,1\}/static/nhsuk/||' | sort -u); do
  if [ ! -f "$OUT/$u" ]; then
    echo "missing asset referenced by CSS: $u" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ]

printf 'nhsuk-frontend %s\nbuilt %s\n' "$VERSION" "$(date -u +%Y-%m-%d)" > "$OUT/VERSION"

echo "Built $OUT (nhsuk-frontend $VERSION):"
du -ab "$OUT" | sort -k2
