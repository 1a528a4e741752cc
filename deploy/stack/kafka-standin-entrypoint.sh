#!/usr/bin/env bash
# The official image's convention: KAFKA_FOO_BAR=v becomes foo.bar=v (`__` a literal `_`, `___` a `-`);
# the storage is formatted once (the cluster id is fixed: one node, one cluster), then the broker runs.
set -euo pipefail
props=/opt/kafka/config/server.properties
: >"$props"
while IFS='=' read -r name value; do
  [[ $name == KAFKA_* && $name != KAFKA_HEAP_OPTS && $name != KAFKA_OPTS ]] || continue
  key=${name#KAFKA_}
  key=${key,,}
  key=${key//___/-}
  key=${key//__/@}
  key=${key//_/.}
  key=${key//@/_}
  printf '%s=%s\n' "$key" "$value" >>"$props"
done < <(env)
grep -q '^log.dirs=' "$props" || echo "log.dirs=/var/lib/kafka/data" >>"$props"
read -ra heap <<<"${KAFKA_HEAP_OPTS:--Xmx512m}"
java_options=("${heap[@]}" -XX:+UseSerialGC -Djava.awt.headless=true -Dlog4j2.disable.jmx=true)
classpath='/opt/kafka/libs/*'
java "${java_options[@]}" -cp "$classpath" kafka.tools.StorageTool format \
  --cluster-id "${CLUSTER_ID:-4L6g3nShT-eMCtK--X86sw}" --config "$props" --ignore-formatted
exec java "${java_options[@]}" -cp "$classpath" kafka.Kafka "$props"
