#!/usr/bin/env bash
# Builds the service image (default drsoda/service:latest, or $1) locally, without any registry: esbuild bundles
# src/main.ts and the simulator's frame worker, a root filesystem gets this machine's node binary and the
# libraries ldd lists for it, and `docker build` runs deploy/Dockerfile (FROM scratch). Layout inside:
#   /opt/drsoda/lib/app/{main,frame-worker}.js   the bundle (ESM; lib/package.json says "type": "module")
#   /opt/drsoda/{migrations,schemas,package.json} read at run time relative to the code (../.. of lib/app)
set -euo pipefail
cd "$(dirname "$0")/.."
image="${1:-drsoda/service:latest}"
log() { printf '[image:service] %s\n' "$*" >&2; }
. deploy/image-lib.sh

ctx="$(mktemp -d "${TMPDIR:-/tmp}/drsoda-service-image.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
app="$root/opt/drsoda"
mkdir -p "$root/usr/local/bin" "$app/lib/app" "$root/tmp" "$root/srv/drsoda"
chmod 1777 "$root/tmp"
chmod 1777 "$root/srv/drsoda"  # COPY makes files root-owned: the default DATA_DIR must be writable by uid 10001

# ESM bundle; CommonJS dependencies use require() and __dirname, which an ES module has to be given. Native and optional
# modules stay out: embedded-postgres (the image uses DATABASE_URL), ssh2's and pg's optional native parts.
timeout 300 npx esbuild src/main.ts src/simulate/frame-worker.ts --bundle --platform=node --format=esm --target=node20 \
  --outdir="$app/lib/app" --entry-names='[name]' --legal-comments=none --log-level=warning \
  --external:embedded-postgres --external:cpu-features --external:pg-native --external:'*.node' \
  --banner:js="import { createRequire as __drsodaRequire } from 'node:module'; import { fileURLToPath as __drsodaPath } from 'node:url'; const require = __drsodaRequire(import.meta.url); const __filename = __drsodaPath(import.meta.url); const __dirname = __filename.replace(/[/][^/]*$/, '');"
cp -r migrations schemas "$app/"
cp package.json "$app/package.json"
# src/version.ts reads ../package.json from the code's folder (lib/app): give it one, which also marks lib/ as ESM.
cp package.json "$app/lib/package.json"
[ -d web/dist ] && mkdir -p "$app/web" && cp -r web/dist "$app/web/dist"

node_bin="$(copy_node_runtime "$root")"
# Name resolution (webhooks, SMTP, DATABASE_URL host names) through glibc: files, then DNS.
mkdir -p "$root/etc"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
printf 'root:x:0:0::/:/sbin/nologin\ndrsoda:x:10001:10001::/tmp:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\ndrsoda:x:10001:\n' > "$root/etc/group"
chmod -R a+rX "$root"
chmod 1777 "$root/srv/drsoda"
cp deploy/Dockerfile "$ctx/Dockerfile"

# Paths relative to the context: the context folder's random name must not change the hash.
hash="$( (cd "$ctx" && find rootfs/opt/drsoda Dockerfile -type f -print0 | sort -z | xargs -0 sha256sum; "$node_bin" --version) | sha256sum | cut -c1-16)"
build_if_changed "$image" "$ctx" "$hash" drsoda.service.hash drsoda "drsoda service: UWS/SODA/DataLink API and workers"
