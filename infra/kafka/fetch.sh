#!/usr/bin/env bash
# Resolves the Kafka broker jars from Maven Central into .cache/kafka/<version>/libs.
# Idempotent: does nothing when the folder is complete (a stamp is written last).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
out="$IES_CACHE_DIR/kafka/$KAFKA_VERSION"
[ -f "$out/.complete" ] && exit 0
command -v mvn >/dev/null || die "Maven is required to fetch Kafka (apt-get install maven)"
say "  resolving Apache Kafka $KAFKA_VERSION from Maven Central into $out"
rm -rf "$out"
mvn_quiet -f "$IES_ROOT/infra/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out/libs"
touch "$out/.complete"
