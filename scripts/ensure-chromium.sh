#!/usr/bin/env bash
# Best effort: install Debian's chromium for the browser tests. Never fails the build; the
# browser tests skip with a clear message when Chromium is not there.
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get) ..."
  if (apt-get install -y -qq chromium >/dev/null 2>&1 || \
      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)); then
    echo "chromium installed."
    exit 0
  fi
fi
echo "chromium is not installed and could not be installed here: browser tests will be skipped" \
     "(install it with 'apt-get install -y chromium')."
exit 0
