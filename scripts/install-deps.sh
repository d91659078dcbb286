#!/usr/bin/env bash
# Installs the Debian packages sigcc needs, only those that are missing, then
# Microsoft's Kusto parser for the KQL check (npm ci in tests/kql, only when
# node_modules does not hold the pinned version).
# Runs apt-get update itself when it has something to install.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config flex bison libyaml-dev libpcre2-dev
          libcmocka-dev zlib1g-dev libsimdjson-dev libhyperscan-dev clang valgrind python3 python3-yaml)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from elsewhere than Debian (a nodesource nodejs has npm
# inside): ask for Debian's packages only when the commands are missing.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A failed npm ci (no registry) does not stop the other suites: the KQL suite
# then fails, saying the parser is missing.
kusto_installed() {
    node -e 'const d = "./tests/kql/";
             const want = require(d + "package-lock.json")
                 .packages["node_modules/@kusto/language-service-next"].version;
             const have = require(d + "node_modules/@kusto/language-service-next/package.json");
             process.exit(have.version === want ? 0 : 1);' 2>/dev/null
}
if ! kusto_installed; then
    echo "installing: tests/kql/node_modules (npm ci)"
    (cd tests/kql && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
        echo "warning: npm ci in tests/kql failed; the KQL parser check will fail"
fi
