#!/usr/bin/env bash
# Builds the reducer image (default drsoda/aaorun:latest, or $1) locally, without any registry:
# bundle src/reducer with esbuild, assemble a root filesystem from this machine's node binary and the
# libraries it links, and `docker build` the FROM-scratch Dockerfile. Skips the build when an image with
# the same content hash exists (the hash covers the bundle, node and the Dockerfile).
set -euo pipefail
cd "$(dirname "$0")/../.."
image="${1:-${PIPELINE_IMAGE:-drsoda/aaorun:latest}}"
log() { printf '[image:reducer] %s\n' "$*" >&2; }
. deploy/image-lib.sh

ctx="$(mktemp -d "${TMPDIR:-/tmp}/drsoda-aaorun-image.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/local/bin" "$root/opt/aaorun" "$root/work" "$root/tmp"
chmod 1777 "$root/tmp" "$root/work"

timeout 120 npx esbuild src/reducer/cli.ts --bundle --platform=node --format=esm --target=node20 \
  --legal-comments=none --log-level=warning --outfile="$root/opt/aaorun/aaorun.mjs"

node_bin="$(copy_node_runtime "$root")"
# A POSIX shell (static busybox) for the warm-sandbox launcher, which needs sh, setsid, mkdir and cat,
# as a real 2dFdr image has them; nothing else of busybox is linked.
busybox="$(command -v busybox || true)"
[ -n "$busybox" ] || { log "busybox not found: apt-get install busybox-static"; exit 1; }
mkdir -p "$root/bin"
cp "$busybox" "$root/bin/busybox"
for applet in sh setsid mkdir cat; do ln -sf busybox "$root/bin/$applet"; done
# A CommonJS shebang script (no extension, no package.json) that loads the ESM bundle.
printf '#!/usr/local/bin/node\nimport("/opt/aaorun/aaorun.mjs");\n' > "$root/usr/local/bin/aaorun"
chmod 0755 "$root/usr/local/bin/aaorun" "$root/usr/local/bin/node"
chmod -R a+rX "$root"
cp deploy/reducer/Dockerfile "$ctx/Dockerfile"

# Paths relative to the context: the context folder's random name must not change the hash.
hash="$( (cd "$ctx" && sha256sum rootfs/opt/aaorun/aaorun.mjs Dockerfile rootfs/bin/busybox; "$node_bin" --version) | sha256sum | cut -c1-16)"
build_if_changed "$image" "$ctx" "$hash" drsoda.reducer.hash "drsoda aaorun" "2dFdr-compatible reducer (aaorun stand-in)"
