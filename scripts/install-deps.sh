#!/usr/bin/env bash
# Installs the Debian packages sigcc needs, only those that are missing.
# Runs apt-get update itself when it has something to install.
set -euo pipefail

packages=(build-essential cmake pkg-config flex bison libyaml-dev libpcre2-dev
          libcmocka-dev zlib1g-dev libsimdjson-dev libhyperscan-dev clang valgrind python3 python3-yaml)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
