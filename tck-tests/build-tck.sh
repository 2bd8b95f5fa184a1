#!/usr/bin/env bash
# Builds the Jakarta Messaging 3.1 TCK (jakarta.tck:jms-tck, the standalone "messaging-outside-container"
# module of the Jakarta EE 11 platform TCK) from a local copy of its public source and installs it into the
# local Maven repository, for registries that do not serve it. The TCK's sources never enter this repository:
# they are exported to a temporary directory and built there with a minimal pom (the published pom inherits
# the Eclipse EE4J release parent; this one lists the same dependencies, with jakarta.tck:common 11.1.0
# instead of 11.0.0-RC4, whose foreign-BytesMessage bug fails two tests for every provider).
#
# Usage: tck-tests/build-tck.sh <platform-tck checkout or bare git mirror> [branch, default 11.0.x]
set -euo pipefail
SRC=${1:?usage: build-tck.sh <platform-tck checkout or git mirror> [branch]}
BRANCH=${2:-11.0.x}
MODULE=tcks/apis/messaging/messaging-outside-container
VERSION=11.0.x-weir
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if git --git-dir="$SRC" rev-parse --verify -q "$BRANCH" >/dev/null 2>&1; then
  git --git-dir="$SRC" archive "$BRANCH" "$MODULE/src" | tar -x -C "$WORK"
elif [ -d "$SRC/.git" ]; then
  git -C "$SRC" archive "$BRANCH" "$MODULE/src" | tar -x -C "$WORK"
else
  mkdir -p "$WORK/$MODULE" && cp -r "$SRC/$MODULE/src" "$WORK/$MODULE/"
fi
cd "$WORK/$MODULE"
cat > pom.xml <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>jakarta.tck</groupId>
  <artifactId>jms-tck</artifactId>
  <version>$VERSION</version>
  <description>Jakarta Messaging TCK (standalone), built locally from $BRANCH of jakartaee/platform-tck</description>
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
      <resource><directory>src/main/java</directory><includes><include>**/*.xml</include></includes><excludes><exclude>**/build.xml</exclude></excludes></resource>
    </resources>
    <plugins>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
      <plugin><artifactId>maven-install-plugin</artifactId><version>3.1.3</version></plugin>
      <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version><configuration><skip>true</skip></configuration></plugin>
    </plugins>
  </build>
</project>
POM
mvn -B -q install -DskipTests
echo "Installed jakarta.tck:jms-tck:$VERSION into $(mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null || echo ~/.m2/repository)"
