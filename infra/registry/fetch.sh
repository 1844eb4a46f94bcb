#!/usr/bin/env bash
# Fetches the schema registry: Apicurio Registry's official runnable distribution
# (io.apicurio:apicurio-registry-app:<version>:zip:all, a Quarkus app with its lib/ folder)
# from Maven Central, unpacked into .cache/apicurio/<version>. Idempotent (stamp file).
#
# Maven Central holds Apicurio's runnable distribution for 3.0.9 (the `all` zip); for 3.3.x
# it holds only the plain app jar and an incomplete set of the modules it needs, so 3.0.9 is
# the newest Apicurio Registry 3 that can be run from Maven Central as released.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
out="$IES_CACHE_DIR/apicurio/$APICURIO_VERSION"
fetch_begin "$out" "Apicurio Registry $APICURIO_VERSION"
# The distribution's pom names a parent (io.apicurio:apicurio-registry:3.0.9) that Maven
# Central does not have, and Maven refuses to resolve an artifact whose descriptor it cannot
# read, even though a zip has no dependencies. A minimal parent pom (coordinates only) in the
# project's own Maven repository lets the descriptor resolve; the zip itself is the released
# file, checked against its published SHA-1 (--strict-checksums) and against the pin below.
APICURIO_ZIP_SHA1=6177e7194d5a5cfe29052dcdcd0b977a4f1b659c
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
parent="$IES_M2_REPO/io/apicurio/apicurio-registry/$APICURIO_VERSION/apicurio-registry-$APICURIO_VERSION.pom"
if [ ! -f "$parent" ]; then
  printf '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>io.apicurio</groupId><artifactId>apicurio-registry</artifactId><version>%s</version><packaging>pom</packaging><description>Coordinates-only stand-in for a parent pom missing from Maven Central (infra/registry/fetch.sh)</description></project>\n' "$APICURIO_VERSION" > "$scratch/parent.pom"
  (cd "$scratch" && mvn_quiet org.apache.maven.plugins:maven-install-plugin:3.1.3:install-file -Dfile=parent.pom -DpomFile=parent.pom -Dpackaging=pom)
fi
# Run from the scratch folder so no Maven build folder lands in the work tree.
(cd "$scratch" && mvn_quiet --strict-checksums org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
  -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" -DoutputDirectory="$out")
zip="$IES_M2_REPO/io/apicurio/apicurio-registry-app/$APICURIO_VERSION/apicurio-registry-app-$APICURIO_VERSION-all.zip"
[ "$(sha1sum "$zip" | cut -c1-40)" = "$APICURIO_ZIP_SHA1" ] || die "$zip does not have the pinned SHA-1 $APICURIO_ZIP_SHA1"
[ -f "$out/apicurio-registry-app-$APICURIO_VERSION-runner.jar" ] || die "unexpected Apicurio distribution layout in $out"
touch "$out/.complete"
