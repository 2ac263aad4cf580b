# The Docker engine and the msa-verify images, for the container route and its tests.
# Sourced by scripts/services (`up docker`, `down docker`, `status docker`); it uses
# that script's start/stop bookkeeping (the `started` file) and scripts/lib.sh.
#
# Which engine: DOCKER_HOST when the caller sets it; else one this checkout's tools
# folder already runs; else a system engine at /var/run/docker.sock; else, as root,
# our own dockerd:
#   dockerd --bridge=none --iptables=false   no bridge network, no firewall rules:
#                                            containers run on the host network
#   data-root   .tools/docker                kept, so images are built once
#   exec-root, socket, pid file              a short folder under /tmp (socket paths
#                                            are limited to 107 bytes)
# Images: FROM scratch, one static binary each, from what scripts/setup built,
# tagged with their pinned versions, built only when the tag is missing.

# Named after the tools folder's real path: checkouts that share it (worktrees) share the engine.
DOCKER_DIR=${MSAV_DOCKER_DIR:-/tmp/msa-verify-docker-$( (cd "$MSAV_TOOLS" 2>/dev/null && pwd -P || echo "$MSAV_TOOLS") | cksum | cut -d' ' -f1)}
DOCKER_OWN_SOCK=$DOCKER_DIR/docker.sock
DOCKER_DATA=$MSAV_TOOLS/docker
# The engine chosen by `up docker` (a DOCKER_HOST value), for services.env.
DOCKER_HOST_FILE=$MSAV_RUN/docker.host
JAEGER_VERSION=$(sed -n 's|^[[:space:]]*github.com/jaegertracing/jaeger v\([0-9.]*\).*|\1|p' "$MSAV_ROOT/scripts/jaeger/go.mod")

# engine_answers DOCKER_HOST: the engine's /_ping says OK.
engine_answers() {
  case "$1" in
    unix://*) curl -fsS -m 2 --unix-socket "${1#unix://}" http://engine/_ping >/dev/null 2>&1 ;;
    tcp://*) curl -fsS -m 2 "http://${1#tcp://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

docker_up() { [ -f "$DOCKER_HOST_FILE" ] && engine_answers "$(cat "$DOCKER_HOST_FILE")"; }

start_dockerd() {
  mkdir -p "$DOCKER_DIR" "$DOCKER_DATA"
  local t0=$SECONDS
  log "starting dockerd (--bridge=none --iptables=false) on $DOCKER_OWN_SOCK, data in ${DOCKER_DATA#"$MSAV_ROOT"/}"
  start_bg dockerd dockerd --bridge=none --iptables=false --ip6tables=false \
    --data-root "$DOCKER_DATA" --exec-root "$DOCKER_DIR/exec" --pidfile "$DOCKER_DIR/dockerd.pid" \
    -H "unix://$DOCKER_OWN_SOCK" --log-level warn
  mark_started dockerd
  wait_for dockerd 60 engine_answers "unix://$DOCKER_OWN_SOCK" || {
    tail -30 "$MSAV_RUN/dockerd.log" >&2
    exit 3
  }
  log "dockerd ready in $((SECONDS - t0))s"
}

# build_image NAME VERSION BINARY: msa-verify/NAME:VERSION FROM scratch with BINARY as entrypoint.
build_image() {
  local name=$1 version=$2 binary=$3 tag="msa-verify/$1:$2"
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  if [ ! -x "$binary" ]; then
    log "$tag: $binary is missing: run scripts/setup"
    exit 3
  fi
  if ! static_binary "$binary"; then
    log "$tag: $binary is not a static build (a FROM scratch image cannot run it): run scripts/setup"
    exit 3
  fi
  local t0=$SECONDS ctx
  # The context sits next to the binary, so a hard link stands in for a copy (Jaeger is 120 MB).
  ctx=$(mktemp -d "$MSAV_TOOLS/image-$name.XXXXXX")
  ln "$binary" "$ctx/$name" 2>/dev/null || cp "$binary" "$ctx/$name"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY $name /$name
LABEL msa-verify.image="$name" msa-verify.version="$version"
ENTRYPOINT ["/$name"]
DOCKERFILE
  # The classic builder: BuildKit is a separate plugin that Debian's docker.io may lack.
  if ! DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >"$MSAV_RUN/image-$name.log" 2>&1; then
    cat "$MSAV_RUN/image-$name.log" >&2
    rm -rf "$ctx"
    exit 3
  fi
  rm -rf "$ctx"
  log "built $tag in $((SECONDS - t0))s"
}

docker_images() {
  build_image toxiproxy "${TOXIPROXY_VERSION#v}" "$MSAV_TOOLS/bin/toxiproxy-server"
  build_image jaeger "$JAEGER_VERSION" "$MSAV_TOOLS/bin/jaeger"
}

up_docker() {
  local host=""
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix://$DOCKER_OWN_SOCK" ]; then
    engine_answers "$DOCKER_HOST" || { log "DOCKER_HOST=$DOCKER_HOST does not answer"; exit 3; }
    host=$DOCKER_HOST
  elif engine_answers "unix://$DOCKER_OWN_SOCK"; then
    host=unix://$DOCKER_OWN_SOCK
  elif engine_answers unix:///var/run/docker.sock; then
    host=unix:///var/run/docker.sock
  elif [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null 2>&1; then
    start_dockerd
    host=unix://$DOCKER_OWN_SOCK
  else
    log "no Docker engine answers and none can be started here (dockerd needs root and Debian's docker.io: run scripts/setup as root, or set DOCKER_HOST)"
    exit 3
  fi
  echo "$host" >"$DOCKER_HOST_FILE"
  export DOCKER_HOST=$host
  docker_images
  write_env
  log "Docker engine ready at $host (DOCKER_HOST in ${MSAV_RUN#"$MSAV_ROOT"/}/services.env)"
}

down_docker() {
  was_started dockerd || return 0
  log "stopping dockerd"
  local pid
  pid=$(cat "$MSAV_RUN/dockerd.pid" 2>/dev/null || echo "")
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # A dockerd killed hard leaves its containerd behind.
  local cpid
  cpid=$(cat "$DOCKER_DIR/exec/containerd/containerd.pid" 2>/dev/null || echo "")
  [ -n "$cpid" ] && kill "$cpid" 2>/dev/null || true
  # dockerd mounts a network namespace file in its exec-root and may leave it mounted.
  if grep -q " $DOCKER_DIR/exec/netns/" /proc/mounts 2>/dev/null; then
    grep " $DOCKER_DIR/exec/netns/" /proc/mounts | cut -d' ' -f2 | xargs -r -n1 umount 2>/dev/null || true
  fi
  rm -f "$MSAV_RUN/dockerd.pid" "$DOCKER_HOST_FILE"
  unmark dockerd
  write_env
}

status_docker() {
  if docker_up; then
    local host
    host=$(cat "$DOCKER_HOST_FILE")
    echo "up    docker ($host)"
    # Images are listed, not required: `up docker` builds the missing ones.
    local tag
    for tag in "msa-verify/toxiproxy:${TOXIPROXY_VERSION#v}" "msa-verify/jaeger:$JAEGER_VERSION"; do
      if DOCKER_HOST=$host docker image inspect "$tag" >/dev/null 2>&1; then echo "image $tag"; else echo "no    $tag"; fi
    done
    return 0
  fi
  echo "down  docker"
  return 3
}
