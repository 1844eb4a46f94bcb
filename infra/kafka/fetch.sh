#!/usr/bin/env bash
# Resolves the Kafka broker jars from Maven Central into .cache/kafka/<version>/libs.
# Idempotent: does nothing when the folder is complete (a stamp is written last).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
out="$IES_CACHE_DIR/kafka/$KAFKA_VERSION"
fetch_begin "$out" "Apache Kafka $KAFKA_VERSION"
mvn_quiet -f "$IES_ROOT/infra/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out/libs"
touch "$out/.complete"
