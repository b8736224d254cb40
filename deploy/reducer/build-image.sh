#!/usr/bin/env bash
# Builds the reducer image (default drsoda/aaorun:latest, or $1) locally, without any registry:
# bundle src/reducer with esbuild, assemble a root filesystem from this machine's node binary and the
# libraries it links, and `docker build` the FROM-scratch Dockerfile. Skips the build when an image with
# the same content hash exists (the hash covers the bundle, node and the Dockerfile).
set -euo pipefail
cd "$(dirname "$0")/../.."
image="${1:-${PIPELINE_IMAGE:-drsoda/aaorun:latest}}"
log() { printf '[image:reducer] %s\n' "$*" >&2; }

ctx="$(mktemp -d "${TMPDIR:-/tmp}/drsoda-aaorun-image.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/local/bin" "$root/opt/aaorun" "$root/work" "$root/tmp"
chmod 1777 "$root/tmp" "$root/work"

timeout 120 npx esbuild src/reducer/cli.ts --bundle --platform=node --format=esm --target=node20 \
  --legal-comments=none --log-level=warning --outfile="$root/opt/aaorun/aaorun.mjs"

node_bin="$(node -p 'process.execPath')"
cp "$node_bin" "$root/usr/local/bin/node"
# Every library the dynamic loader resolves for node, at the same path, plus the loader itself.
ldd "$node_bin" | grep -o '/[^ )]*' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
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

hash="$( (sha256sum "$root/opt/aaorun/aaorun.mjs" "$ctx/Dockerfile" "$root/bin/busybox"; "$node_bin" --version) | sha256sum | cut -c1-16)"
current="$(timeout 30 docker image inspect -f '{{ index .Config.Labels "drsoda.reducer.hash" }}' "$image" 2>/dev/null || true)"
if [ "$current" = "$hash" ]; then
  log "$image is up to date ($hash)"
  exit 0
fi
log "building $image ($hash)"
printf 'LABEL drsoda.reducer.hash="%s" org.opencontainers.image.title="drsoda aaorun" org.opencontainers.image.description="2dFdr-compatible reducer (aaorun stand-in)"\n' "$hash" >> "$ctx/Dockerfile"
# The legacy builder needs no buildx plugin and no network for FROM scratch; its output is shown on failure only.
if ! DOCKER_BUILDKIT=0 timeout 600 docker build --quiet --tag "$image" "$ctx" >"$ctx/build.log" 2>&1; then
  cat "$ctx/build.log" >&2
  exit 1
fi
log "built $image ($(docker image inspect -f '{{ .Size }}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
