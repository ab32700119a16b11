#!/bin/sh
# Installs Debian's headless-capable Chromium for the browser tests, once: a no-op when
# /usr/bin/chromium is already there. Needs root (or sudo) and the Debian archive.
set -eu
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
