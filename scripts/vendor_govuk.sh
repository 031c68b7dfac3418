#!/usr/bin/env bash
# Vendor the compiled GOV.UK Frontend into static/govuk/ without a build step.
#
# The version matches what govuk-frontend-django 0.22 targets, so the markup its
# template tags render and the CSS we ship agree. The output is committed, so
# `make run` never needs npm; re-run this only to change GOV.UK Frontend version.
#
# Usage: scripts/vendor_govuk.sh [version]   (default 6.0.0)
set -euo pipefail

VERSION="${1:-6.0.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/govuk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

command -v npm >/dev/null || { echo "npm is needed to vendor GOV.UK Frontend" >&2; exit 1; }

(cd "$WORK" && npm pack --silent "govuk-frontend@$VERSION" >/dev/null)
tar -xzf "$WORK"/govuk-frontend-*.tgz -C "$WORK"
SRC="$WORK/package/dist/govuk"

rm -rf "$DEST"
mkdir -p "$DEST/assets"
# No fonts: GDS Transport is licensed for services on GOV.UK only, and casereview is
# not on GOV.UK, so it uses Arial as GOV.UK's guidance asks of such services.
cp -R "$SRC/assets/images" "$SRC/assets/manifest.json" "$DEST/assets/"

# The compiled CSS points at /assets/... from the site root. Relative URLs resolve
# against the stylesheet's own URL, so they work under STATIC_URL and with
# whitenoise's hashed names. Source maps are not shipped, so drop their comments
# (manifest storage would otherwise fail collectstatic with MissingFileError).
sed -e 's#url(/assets/#url(assets/#g' \
    -e 's#url("/assets/#url("assets/#g' \
    -e "s#url('/assets/#url('assets/#g" \
    -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##g' \
    -e 's#@font-face{font-family:GDS Transport;[^}]*}##g' \
    -e 's#font-family:GDS Transport,arial,sans-serif#font-family:arial,sans-serif#g' \
    "$SRC/govuk-frontend.min.css" >"$DEST/govuk-frontend.min.css"
sed -e 's#//[#@] sourceMappingURL=.*$##' -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##g' \
    "$SRC/govuk-frontend.min.js" >"$DEST/govuk-frontend.min.js"

if grep -q '/assets/' "$DEST/govuk-frontend.min.css"; then
    echo "Absolute /assets/ URLs remain in the CSS" >&2; exit 1
fi
if grep -q 'GDS Transport' "$DEST/govuk-frontend.min.css"; then
    echo "GDS Transport remains in the CSS" >&2; exit 1
fi
if grep -q 'sourceMappingURL' "$DEST/govuk-frontend.min.css" "$DEST/govuk-frontend.min.js"; then
    echo "sourceMappingURL comments remain" >&2; exit 1
fi
echo "$VERSION" >"$DEST/VERSION"
echo "GOV.UK Frontend $VERSION vendored into ${DEST#"$ROOT"/} ($(du -sh "$DEST" | cut -f1))"
