#!/usr/bin/env bash
# Installs the Debian packages BenchBot builds and tests against; quick when they are there.
set -euo pipefail
packages=(libgit2-dev libcurl4-openssl-dev pkg-config git ca-certificates gcc libc6-dev)
command -v python3 >/dev/null || packages+=(python3)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} …"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
