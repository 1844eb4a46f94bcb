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
[ -f "$out/.complete" ] && exit 0
command -v mvn >/dev/null || die "Maven is required to fetch the schema registry (apt-get install maven)"
say "  fetching Apicurio Registry $APICURIO_VERSION from Maven Central into $out"
rm -rf "$out"
mkdir -p "$out"
# Run outside any project (from a scratch folder, removed after) so no Maven build folder
# lands in the work tree.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && mvn_quiet org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
  -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" -DoutputDirectory="$out")
[ -f "$out/apicurio-registry-app-$APICURIO_VERSION-runner.jar" ] || die "unexpected Apicurio distribution layout in $out"
touch "$out/.complete"
