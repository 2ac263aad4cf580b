# Shared by the scripts in this folder: locations, ports and small helpers.
MSAV_ROOT=${MSAV_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MSAV_TOOLS=${MSAV_TOOLS:-$MSAV_ROOT/.tools}
MSAV_RUN=$MSAV_TOOLS/run
TOXIPROXY_PORT=${MSAV_TOXIPROXY_PORT:-8474}
RABBITMQ_PORT=${MSAV_RABBITMQ_PORT:-5672}
PROMETHEUS_PORT=${MSAV_PROMETHEUS_PORT:-9090}
PUSHGATEWAY_PORT=${MSAV_PUSHGATEWAY_PORT:-9091}
KAFKA_PORT=${MSAV_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${MSAV_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
# A second Kafka listener for chaos: the broker listens on KAFKA_PROXIED_PORT and advertises
# KAFKA_PROXY_LISTEN_PORT, where a Toxiproxy proxy (upstream 127.0.0.1:KAFKA_PROXIED_PORT) listens,
# so that a client bootstrapping there stays behind the proxy (docs/kafka-chaos.md).
KAFKA_PROXIED_PORT=${MSAV_KAFKA_PROXIED_PORT:-$((KAFKA_PORT + 2))}
KAFKA_PROXY_LISTEN_PORT=${MSAV_KAFKA_PROXY_LISTEN_PORT:-1$((KAFKA_PORT + 2))}
JAEGER_QUERY_PORT=${MSAV_JAEGER_QUERY_PORT:-16686}
JAEGER_QUERY_GRPC_PORT=${MSAV_JAEGER_QUERY_GRPC_PORT:-16685}
JAEGER_OTLP_HTTP_PORT=${MSAV_JAEGER_OTLP_HTTP_PORT:-4318}
JAEGER_HEALTH_PORT=${MSAV_JAEGER_HEALTH_PORT:-13133}
TOXIPROXY_VERSION=${TOXIPROXY_VERSION:-v2.12.0}
ETCD_PORT=${MSAV_ETCD_PORT:-2379}
ETCD_PEER_PORT=${MSAV_ETCD_PEER_PORT:-$((ETCD_PORT + 1))}
export PATH="$MSAV_ROOT/node_modules/.bin:$MSAV_TOOLS/bin:$PATH"

log() { printf '[msa-verify %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# wait_for NAME SECONDS COMMAND...: retries COMMAND until it succeeds.
wait_for() {
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      log "$name did not become ready within ${seconds}s"
      return 1
    fi
    sleep 0.3
  done
}

http_ok() { curl -fsS -m 2 "$1" >/dev/null 2>&1; }
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when an ELF file names no program interpreter (a static binary: it runs in a
# FROM scratch image). A dynamic one names /lib*/ld-linux* or ld-musl* near its start.
static_binary() { [ -f "$1" ] && ! head -c 8192 "$1" | tr -d '\000' | grep -aq -e 'ld-linux' -e 'ld-musl'; }
