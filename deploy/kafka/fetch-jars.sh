#!/usr/bin/env bash
# Resolve the local Kafka broker's jars from Maven Central into a cache directory, once.
#
#   deploy/kafka/fetch-jars.sh [LIBS_DIR]
#
# LIBS_DIR defaults to $NEWSWIRE_KAFKA_LIBS, else ~/.cache/newswire/kafka-libs: outside the repository so
# that runs and clones share one copy. A stamp file holds the sha256 of pom.xml; the jars are resolved
# again only when the directory is missing or the pom changed. Prints the libs dir on success.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
libs="${1:-${NEWSWIRE_KAFKA_LIBS:-$HOME/.cache/newswire/kafka-libs}}"
stamp_name=".newswire-pom.sha256"

pom_hash="$(sha256sum "$pom" | cut -d' ' -f1)"

is_fresh() {
  [[ -f "$libs/$stamp_name" ]] && [[ "$(cat "$libs/$stamp_name")" == "$pom_hash" ]] \
    && compgen -G "$libs/kafka_2.13-*.jar" >/dev/null
}

if is_fresh; then
  echo "$libs"
  exit 0
fi

if ! command -v mvn >/dev/null 2>&1; then
  echo "fetch-jars.sh: 'mvn' (Apache Maven 3.6+) is not on PATH; it is needed once to resolve the Kafka jars into $libs" >&2
  exit 3
fi

mkdir -p "$(dirname "$libs")"
# Two test sessions may start at once: one resolves, the other waits and then finds the stamp fresh.
exec 9>"$libs.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if is_fresh; then
  echo "$libs"
  exit 0
fi

staging="$(mktemp -d "$libs.tmp.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
# Resolve into a staging dir and swap it in, so an interrupted run never leaves a half-filled cache
# that looks complete.
mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$staging" >&2
if ! compgen -G "$staging/kafka_2.13-*.jar" >/dev/null; then
  echo "fetch-jars.sh: maven finished but no kafka_2.13 jar landed in $staging" >&2
  exit 4
fi
echo "$pom_hash" >"$staging/$stamp_name"
rm -rf "$libs"
mv "$staging" "$libs"
trap - EXIT
echo "$libs"
