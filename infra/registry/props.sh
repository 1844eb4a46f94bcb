#!/usr/bin/env bash
# JVM system properties for the native Apicurio Registry 3: loopback only; SQL storage on
# an H2 file under the stack's data folder (schemas, ids and rules survive restarts); a
# small pool; BACKWARD compatibility as the global rule (Confluent's default; Apicurio's is
# NONE); canonical hashing so a schema that differs only in whitespace is not a new version.
#   props.sh DATA_DIR PORT
set -euo pipefail
data=$1 port=$2
printf '%s ' \
  -Dquarkus.http.host=127.0.0.1 \
  "-Dquarkus.http.port=$port" \
  -Dapicurio.storage.kind=sql \
  -Dapicurio.storage.sql.kind=h2 \
  "-Dapicurio.datasource.url=jdbc:h2:file:$data/registry" \
  -Dapicurio.datasource.jdbc.initial-size=2 \
  -Dapicurio.datasource.jdbc.min-size=2 \
  -Dapicurio.datasource.jdbc.max-size=10 \
  -Dapicurio.rules.global.compatibility=BACKWARD \
  -Dapicurio.ccompat.use-canonical-hash=true
