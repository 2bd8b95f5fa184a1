#!/usr/bin/env bash
# Builds the Jakarta Messaging 3.1 TCK (jakarta.tck:jms-tck, standalone part of the Jakarta EE 11 platform TCK)
# from its public source and installs it into the local Maven repository, for when no registry serves the jar.
#
#   tck-tests/build-tck.sh [<platform-tck checkout or bare git mirror>]
#
# Source: module tcks/apis/messaging/messaging-outside-container of jakartaee/platform-tck, branch 11.0.x
# (override with TCK_REF). Default source: /work/.mirror/jakartaee+platform-tck/repo.
# The published pom inherits the EE4J release parent; this script writes a minimal standalone pom with the
# same dependencies, except jakarta.tck:common 11.1.0 instead of 11.0.0-RC4 (RC4 fails two foreign
# BytesMessage tests for every provider). The installed version is the TCK's own version string from its
# pom (11.0.4-SNAPSHOT on 11.0.x today); TCK_VERSION overrides it, and tck-tests/pom.xml must then be given
# -Djms-tck.version=<same>. Nothing of the TCK is written into this repository: the work happens in a temp dir.
set -euo pipefail

SRC="${1:-/work/.mirror/jakartaee+platform-tck/repo}"
REF="${TCK_REF:-11.0.x}"
MODULE=tcks/apis/messaging/messaging-outside-container
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jms-tck-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [ -d "$SRC/.git" ]; then
  GIT=(git -C "$SRC")                      # a checkout
elif [ -f "$SRC/HEAD" ] && [ -d "$SRC/objects" ]; then
  GIT=(git --git-dir="$SRC")               # a bare repository / mirror
else
  echo "build-tck.sh: $SRC is neither a git checkout nor a bare git repository of jakartaee/platform-tck" >&2
  exit 2
fi
if ! "${GIT[@]}" rev-parse --verify -q "$REF^{commit}" >/dev/null; then
  echo "build-tck.sh: $SRC has no ref $REF (set TCK_REF)" >&2
  exit 2
fi
COMMIT="$("${GIT[@]}" rev-parse "$REF^{commit}")"
echo "build-tck.sh: exporting $MODULE at $REF ($COMMIT) to $WORK"
"${GIT[@]}" archive "$COMMIT" "$MODULE" | tar -x -C "$WORK"
DIR="$WORK/$MODULE"

UPSTREAM_VERSION="$(sed -n '/<artifactId>jms-tck<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}' "$DIR/pom.xml")"
VERSION="${TCK_VERSION:-$UPSTREAM_VERSION}"
if [ -z "$VERSION" ]; then
  echo "build-tck.sh: could not read the TCK version from $MODULE/pom.xml (set TCK_VERSION)" >&2
  exit 2
fi

# Versions as the upstream pom resolves them through jakarta.jakartaee-bom 11.0.0-M5 and junit-bom 5.11.4,
# all served by Maven Central.
cat > "$DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>jakarta.tck</groupId>
  <artifactId>jms-tck</artifactId>
  <version>$VERSION</version>
  <description>Jakarta Messaging TCK (outside container), built locally from $REF ($COMMIT) of jakartaee/platform-tck</description>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>jakarta.jms</groupId><artifactId>jakarta.jms-api</artifactId><version>3.1.0</version></dependency>
    <dependency><groupId>jakarta.inject</groupId><artifactId>jakarta.inject-api</artifactId><version>2.0.1</version></dependency>
    <dependency><groupId>jakarta.ejb</groupId><artifactId>jakarta.ejb-api</artifactId><version>4.0.1</version></dependency>
    <dependency><groupId>jakarta.annotation</groupId><artifactId>jakarta.annotation-api</artifactId><version>3.0.0</version></dependency>
    <dependency><groupId>jakarta.transaction</groupId><artifactId>jakarta.transaction-api</artifactId><version>2.0.1</version></dependency>
    <dependency><groupId>jakarta.servlet</groupId><artifactId>jakarta.servlet-api</artifactId><version>6.1.0</version></dependency>
    <dependency><groupId>jakarta.tck</groupId><artifactId>common</artifactId><version>11.1.0</version></dependency>
    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter-api</artifactId><version>5.11.4</version></dependency>
  </dependencies>
  <build>
    <resources>
      <resource>
        <directory>src/main/java</directory>
        <includes><include>**/*.xml</include></includes>
        <excludes><exclude>**/build.xml</exclude></excludes>
      </resource>
    </resources>
    <plugins>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
      <plugin><artifactId>maven-install-plugin</artifactId><version>3.1.3</version></plugin>
      <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
    </plugins>
  </build>
</project>
EOF

echo "build-tck.sh: building jakarta.tck:jms-tck:$VERSION"
( cd "$DIR" && mvn -B -q install -DskipTests ${MAVEN_ARGS:-} )

REPO="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"   # set it if settings.xml moves the local repository
INSTALLED="$REPO/jakarta/tck/jms-tck/$VERSION"
echo "build-tck.sh: installed jakarta.tck:jms-tck:$VERSION (from $REF $COMMIT):"
ls -l "$INSTALLED"/*.jar "$INSTALLED"/*.pom
echo "build-tck.sh: $(unzip -l "$INSTALLED/jms-tck-$VERSION.jar" | grep -c 'IT\.class$') test classes (*IT) in the jar"
