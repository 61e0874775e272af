#!/bin/sh
# Installs what the browser and HTML tests need, when it is missing: Debian's Chromium
# (driven by Playwright through executable_path) and a Java runtime (for the Nu Html
# Checker). Runs apt-get as root, or through sudo.
set -eu

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1; then
    run="sudo"
else
    echo "install-browser: need root or sudo to install:$missing" >&2
    exit 1
fi
echo "install-browser: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq
# shellcheck disable=SC2086
$run apt-get install -y -qq --no-install-recommends $missing >/dev/null
