# Shared by the image builders (deploy/build-image.sh, deploy/reducer/build-image.sh): sourced, not run.
# Both images are FROM scratch around this machine's node binary, and both are rebuilt only when their content
# hash changes, so a second run costs a hash and one `docker image inspect`.

# copy_node_runtime ROOT: node at ROOT/usr/local/bin/node and every library the dynamic loader resolves for it, at
# the same path, loader included. Prints the host's node path.
copy_node_runtime() {
  local root="$1" node_bin lib
  node_bin="$(node -p 'process.execPath')"
  mkdir -p "$root/usr/local/bin"
  cp "$node_bin" "$root/usr/local/bin/node"
  ldd "$node_bin" | grep -o '/[^ )]*' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  printf '%s\n' "$node_bin"
}

# build_if_changed IMAGE CONTEXT HASH LABEL TITLE DESCRIPTION: `docker build` CONTEXT (its Dockerfile gets the
# labels) unless IMAGE already carries HASH under LABEL. Needs a log function.
build_if_changed() {
  local image="$1" ctx="$2" hash="$3" label="$4" title="$5" description="$6" current
  current="$(timeout 30 docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null || true)"
  if [ "$current" = "$hash" ]; then
    log "$image is up to date ($hash)"
    return 0
  fi
  log "building $image ($hash)"
  printf 'LABEL %s="%s" org.opencontainers.image.title="%s" org.opencontainers.image.description="%s"\n' "$label" "$hash" "$title" "$description" >> "$ctx/Dockerfile"
  # The legacy builder needs no buildx plugin and no network for FROM scratch; its output is shown on failure only.
  if ! DOCKER_BUILDKIT=0 timeout 600 docker build --quiet --tag "$image" "$ctx" >"$ctx/build.log" 2>&1; then
    cat "$ctx/build.log" >&2
    return 1
  fi
  log "built $image ($(docker image inspect -f '{{ .Size }}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
}
