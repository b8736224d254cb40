#!/usr/bin/env bash
# Builds an image of the real 2dFdr from the operator's tarball:  deploy/2dfdr/build.sh TARBALL [IMAGE]
# (default IMAGE drsoda/2dfdr:<version from the tarball name>). Checks the image answers `aaorun version`
# under Xvfb before tagging it done; then set PIPELINE_IMAGE=IMAGE and SANDBOX_XVFB=true.
set -euo pipefail
tarball="${1:?usage: deploy/2dfdr/build.sh 2dfdr_install-VERSION.tar.gz [IMAGE]}"
[ -f "$tarball" ] || { echo "no such file: $tarball" >&2; exit 2; }
version="$(basename "$tarball" | sed -E 's/^[^0-9]*([0-9][0-9A-Za-z._-]*)\.tar\.gz$/\1/; s/\.tar\.gz$//')"
image="${2:-drsoda/2dfdr:${version}}"
ctx="$(mktemp -d "${TMPDIR:-/tmp}/drsoda-2dfdr.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
cp "$(dirname "$0")/Dockerfile" "$ctx/Dockerfile"
cp "$tarball" "$ctx/2dfdr.tar.gz"
timeout 1800 docker build ${BASE:+--build-arg BASE="$BASE"} --tag "$image" "$ctx"
# A smoke test as the service would run it: Xvfb on :99, then aaorun.
timeout 120 docker run --rm --entrypoint sh "$image" -c 'Xvfb :99 -nolisten tcp >/dev/null 2>&1 & sleep 1; aaorun version'
echo "built $image: set PIPELINE_IMAGE=$image SANDBOX_XVFB=true, then run drsoda doctor"
