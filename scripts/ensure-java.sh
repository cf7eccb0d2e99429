#!/usr/bin/env bash
# Best effort: install Debian's OpenJDK for the Spark runner's tests (Spark 4 needs Java 17+).
# Never fails the build; the Spark tests skip with a clear message when Java is not there.
if command -v java >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's OpenJDK for the Spark tests (apt-get) ..."
  if (apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 || \
      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1)); then
    echo "OpenJDK installed."
    exit 0
  fi
fi
echo "Java is not installed and could not be installed here: the Spark tests will be skipped" \
     "(install it with 'apt-get install -y openjdk-17-jre-headless')."
exit 0
