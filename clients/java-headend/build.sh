#!/usr/bin/env bash
# Builds the Java head-end client once into .cache/java-headend/ (jar + lib/), with the
# project's Maven repository (.cache/m2, as infra/kafka/fetch.sh uses it). Does nothing when
# the jar is newer than pom.xml and every file under src/. Prints the jar's path.
# Needs a JDK 17 (javac) and Maven: infra/setup.sh installs both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${IES_CACHE_DIR:-$root/.cache}"
m2="${IES_M2_REPO:-$cache/m2}"
out="$cache/java-headend"
jar="$out/ies-headend.jar"

if [ -f "$jar" ] && [ -z "$(find "$here/pom.xml" "$here/src" -newer "$jar" -print -quit)" ]; then
  echo "$jar"; exit 0
fi
command -v mvn >/dev/null || { echo "java-headend: Maven is required (apt-get install maven)" >&2; exit 1; }
command -v javac >/dev/null || { echo "java-headend: a JDK 17 is required (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
mkdir -p "$out"
log="$out/maven.log"
# Unit tests (JUnit, Surefire) run as part of the package; a failure shows the log's tail.
if ! mvn -B -ntp -f "$here/pom.xml" -Dmaven.repo.local="$m2" -Dheadend.build.dir="$out/target" package > "$log" 2>&1; then
  echo "java-headend: Maven failed; last lines of $log:" >&2; tail -n 40 "$log" >&2; exit 1
fi
grep -E '^\[INFO\] Tests run:|Tests run:.*Fail' "$log" | tail -n 1 >&2 || true
rm -rf "$out/lib"
cp -r "$out/target/lib" "$out/lib"
cp "$out/target/ies-headend.jar" "$jar.tmp" && mv "$jar.tmp" "$jar"
echo "$jar"
