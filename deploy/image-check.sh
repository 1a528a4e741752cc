#!/usr/bin/env bash
# Image smoke test: build deploy/Dockerfile with podman and run it against a local broker: topic init,
# each of the four services reaching /readyz, then one demo article coded to events, the correlator
# putting an event into an incident, and its map page served. `make image-check` runs it and .ci/run
# calls that.
#
# Where podman cannot be had (not Linux, not root without podman, no apt), it prints why and exits 0;
# NEWSWIRE_IMAGE_CHECK=require turns that skip into a failure, and NEWSWIRE_IMAGE_CHECK=skip skips.
# Registry images cannot be pulled everywhere, so the base is a local stand-in for python:3.11-slim built
# by mmdebstrap from Debian's packages (Debian's Python 3.11 and its pip 23, an older pip than the
# official image's, which the package must install with). The encoder's ONNX export is made on the host
# by the checkout's virtualenv (`newswire export-onnx`) and handed to the build as ENCODER_EXPORT, so that
# the export stage, which needs torch, is not downloaded again here; TORCH_INDEX_URL stays the Dockerfile's
# for a plain `docker build`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${NEWSWIRE_IMAGE_WORK:-$ROOT/build/image}
VENV_BIN=${VENV_BIN:-$ROOT/.venv/bin}
BASE=localhost/python:3.11-slim
# Tagged per checkout, so that two checkouts on one machine (a CI clone beside a working copy) do not
# build over each other's image; deploy/stack-check.sh computes the same tag.
TAG=${NEWSWIRE_CHECK_TAG:-check-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)}
IMAGE=localhost/newswire:$TAG
EXPORT_IMAGE=localhost/newswire-encoder-export:$TAG
MODE=${NEWSWIRE_IMAGE_CHECK:-auto}
SECONDS=0
mkdir -p "$WORK"

step() { printf 'image-check: %s (%ss)\n' "$*" "$SECONDS"; }
skip() {
  if [[ $MODE == require ]]; then echo "image-check: FAILED: $*" >&2; exit 1; fi
  echo "image-check: SKIPPED: $*"
  exit 0
}

[[ $MODE == skip ]] && skip "NEWSWIRE_IMAGE_CHECK=skip"
[[ $(uname -s) == Linux ]] || skip "podman runs the image on Linux only"
need=(podman buildah mmdebstrap runc)
missing=()
for tool in "${need[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || skip "${missing[*]} missing, and installing them needs root"
  command -v apt-get >/dev/null || skip "${missing[*]} missing, and there is no apt-get to install them"
  step "installing podman, buildah, mmdebstrap and runc from Debian"
  packages=(podman buildah mmdebstrap runc uidmap)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >"$WORK.apt.log" 2>&1; then
    apt-get update -q >>"$WORK.apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >>"$WORK.apt.log" 2>&1 \
      || skip "apt-get could not install ${packages[*]} (see $WORK.apt.log)"
  fi
fi
[[ -x $VENV_BIN/newswire ]] || { echo "image-check: $VENV_BIN/newswire missing: run make install" >&2; exit 1; }

# Rootful podman on a host without systemd: runc with cgroupfs (crun refuses hybrid cgroups), and
# ulimits the sandbox allows (the default asks for more open files than the host grants).
export CONTAINERS_CONF=$WORK/containers.conf
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF

if ! podman image exists "$BASE"; then
  step "building the stand-in base $BASE (mmdebstrap, Debian bookworm)"
  # The host's extra CA certificates go in too: where egress passes an inspecting proxy, pip in the build
  # must trust it as the host does. The official image has no EXTERNALLY-MANAGED marker; neither does this.
  # shellcheck disable=SC2016  # "$1" is the chroot, expanded by mmdebstrap, not here
  hooks=(--customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED')
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    # shellcheck disable=SC2016
    hooks+=(--customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share'
      --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1')
  fi
  mmdebstrap --quiet --variant=minbase \
    --include=python3,python3-pip,python3-venv,python-is-python3,ca-certificates \
    "${hooks[@]}" bookworm "$WORK/base.tar"
  podman import --quiet --change 'CMD ["python3"]' "$WORK/base.tar" "$BASE" >/dev/null
  rm -f "$WORK/base.tar"
fi

step "exporting the encoder to ONNX on the host"
rm -rf "$WORK/export"
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$VENV_BIN/newswire" export-onnx --out "$WORK/export" 2>"$WORK/export.log" | tail -1
printf 'FROM scratch\nCOPY export /export\n' >"$WORK/Containerfile.export"
podman build --quiet --isolation chroot -f "$WORK/Containerfile.export" -t "$EXPORT_IMAGE" "$WORK" >/dev/null

step "building deploy/Dockerfile"
podman build --isolation chroot --layers --format docker -f deploy/Dockerfile -t "$IMAGE" \
  --build-arg BASE_IMAGE="$BASE" --build-arg ENCODER_EXPORT="$EXPORT_IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; echo "image-check: FAILED: the build (log: $WORK/build.log)" >&2; exit 1; }
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE")
printf 'image-check: image %s is %.0f MB (the stand-in base is %.0f MB of it)\n' \
  "$IMAGE" "$((size / 1000000))" "$((base_size / 1000000))"
podman run --rm --no-healthcheck --entrypoint python "$IMAGE" -c "import importlib.util as u; assert u.find_spec('torch') is None, 'torch in image'"
# The gazetteer built at image build time is the one the service user's extractor will look for, and readable.
podman run --rm --no-healthcheck --entrypoint python "$IMAGE" -c "from newswire.extractor.gazetteer_cache import cache_path as c; from newswire.extractor.settings import ExtractorSettings as S; o = S().extractor; c(o.gazetteer_cache_dir, o.gazetteer_min_population).open('rb').read(1)" \
  || { echo "image-check: FAILED: no readable prebuilt gazetteer in the image" >&2; exit 1; }

# --- run it against a local broker ---------------------------------------------------------------
RUN=$WORK/run
rm -rf "$RUN" && mkdir -p "$RUN/config"
containers=()
cleanup() {
  for name in "${containers[@]}"; do
    podman logs "$name" >"$RUN/$name.log" 2>&1 || true
    podman rm -f "$name" >/dev/null 2>&1 || true
  done
  NEWSWIRE_DATA_DIR=$RUN/host "$VENV_BIN/newswire" broker stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "starting the local broker"
NEWSWIRE_DATA_DIR=$RUN/host "$VENV_BIN/newswire" broker start >"$RUN/broker.out" 2>&1
bootstrap=$(NEWSWIRE_DATA_DIR=$RUN/host "$VENV_BIN/newswire" broker status \
  | "$VENV_BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["bootstrap"] or "")')
[[ -n $bootstrap ]] || { cat "$RUN/broker.out" >&2; echo "image-check: FAILED: no broker address" >&2; exit 1; }
read -ra ports < <("$VENV_BIN/python" - <<'EOF'
import socket
held = [socket.socket() for _ in range(5)]
for s in held:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in held))
EOF
)
common=(--network host -e NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS="$bootstrap" -e NEWSWIRE_KAFKA__PARTITIONS=1
  -e NEWSWIRE_WEB__HOST=127.0.0.1)
# Without systemd, podman cannot time the HEALTHCHECK (it says so on every start, in $RUN/podman.log): the
# services' check is run once by hand below, and the one-shot containers have none.
oneshot=(--rm --no-healthcheck)

step "topic init (newswire topics create) against $bootstrap"
podman run "${oneshot[@]}" "${common[@]}" "$IMAGE" topics create

step "serving the demo site from the image on port ${ports[4]}"
chmod 0777 "$RUN/config"
containers+=("newswire-$TAG-demo")
podman run -d --name "newswire-$TAG-demo" --no-healthcheck "${common[@]}" -v "$RUN/config:/config" "$IMAGE" \
  demo-site --port "${ports[4]}" --feeds-file /config/feeds.yaml --interval 5 >/dev/null
for _ in $(seq 60); do [[ -s $RUN/config/feeds.yaml ]] && break; sleep 1; done
[[ -s $RUN/config/feeds.yaml ]] || { echo "image-check: FAILED: the demo site wrote no feeds file" >&2; exit 1; }

services=(fetcher cleaner extractor correlator)  # on ports[0..3]
for i in "${!services[@]}"; do
  name=newswire-$TAG-${services[$i]}
  containers+=("$name")
  podman run -d --name "$name" "${common[@]}" -e NEWSWIRE_WEB__PORT="${ports[$i]}" \
    -e NEWSWIRE_FETCHER__FEEDS_FILE=/config/feeds.yaml -e 'NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE=["127.0.0.1/32"]' \
    -v "$RUN/config:/config:ro" "$IMAGE" "${services[$i]}" >/dev/null 2>>"$RUN/podman.log"
done
step "services started; waiting for each /readyz"
for i in "${!services[@]}"; do
  url=http://127.0.0.1:${ports[$i]}/readyz
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    state=$(podman inspect --format '{{.State.Running}}' "newswire-$TAG-${services[$i]}")
    [[ $state == true ]] || { podman logs "newswire-$TAG-${services[$i]}" 2>&1 | tail -30 >&2; exit 1; }
    sleep 1
  done
  curl -fsS -o /dev/null "$url" || { echo "image-check: FAILED: ${services[$i]} never ready at $url" >&2; exit 1; }
  podman healthcheck run "newswire-$TAG-${services[$i]}" >/dev/null \
    || { echo "image-check: FAILED: the image's HEALTHCHECK fails for ${services[$i]}" >&2; exit 1; }
  step "${services[$i]} ready ($url) and healthy (the image's HEALTHCHECK)"
done

step "waiting for the demo article's events on the events topic"
podman run "${oneshot[@]}" "${common[@]}" "$IMAGE" tail events --from-beginning --max 1 --idle-timeout 240 --json \
  >"$RUN/events.jsonl"
[[ -s $RUN/events.jsonl ]] || { echo "image-check: FAILED: no event within 240 s" >&2; exit 1; }
"$VENV_BIN/python" deploy/first_event.py image-check "$RUN/events.jsonl"

step "waiting for the correlator's first incident on the incidents topic"
podman run "${oneshot[@]}" "${common[@]}" "$IMAGE" tail incidents --from-beginning --max 1 --idle-timeout 120 --json \
  >"$RUN/incidents.jsonl"
[[ -s $RUN/incidents.jsonl ]] || { echo "image-check: FAILED: no incident within 120 s of quiet" >&2; exit 1; }
"$VENV_BIN/python" deploy/first_event.py image-check "$RUN/incidents.jsonl" --topic incidents
map_url=http://127.0.0.1:${ports[3]}/map/
curl -fsS -D "$RUN/map.headers" -o "$RUN/map.html" "$map_url" \
  || { echo "image-check: FAILED: the correlator's map at $map_url" >&2; exit 1; }
if ! grep -qi '^content-type: text/html' "$RUN/map.headers" || ! grep -qi '<html' "$RUN/map.html"; then
  echo "image-check: FAILED: $map_url is not an HTML page (see $RUN/map.headers)" >&2; exit 1
fi
# What the page loads is package data too (pyproject's correlator/static/**), nested folders included.
for asset in map.js map.css vendor/d3-geo.min.js vendor/countries-110m.json; do
  curl -fsS -o /dev/null "$map_url$asset" || { echo "image-check: FAILED: the map's $asset is not served" >&2; exit 1; }
done
curl -fsS -o "$RUN/incidents.json" "http://127.0.0.1:${ports[3]}/incidents"
"$VENV_BIN/python" - "$RUN/incidents.jsonl" "$RUN/incidents.json" <<'EOF'
import json, sys
first = json.loads(open(sys.argv[1], encoding="utf-8").readline())["incident_id"]
shown = {incident["incident_id"] for incident in json.load(open(sys.argv[2], encoding="utf-8"))}
assert first in shown, f"image-check: FAILED: /incidents lacks {first} (it shows {len(shown)})"
EOF
step "the map is served ($map_url, $(wc -c <"$RUN/map.html") bytes of HTML, its assets, the incident in /incidents)"
step "passed: image $IMAGE, $((size / 1000000)) MB"
