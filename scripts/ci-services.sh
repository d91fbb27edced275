#!/usr/bin/env bash
# Install what the test suite runs for real, from Debian's packages, when it is missing: Python 3 (scratchpad kernels),
# the PostgreSQL, MariaDB and Redis server binaries (tests start throwaway servers of their own on free ports; the
# machine's own services and their configuration are never used or touched), openssl (test certificates) and
# Chromium (the artifact-preview browser test). Does nothing when everything is there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_install() {
  if [ "$updated" = 0 ]; then apt-get update -qq; updated=1; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
command -v mariadb-install-db >/dev/null 2>&1 || apt_install mariadb-server
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
command -v openssl >/dev/null 2>&1 || apt_install openssl
command -v chromium >/dev/null 2>&1 || apt_install chromium
command -v setpriv >/dev/null 2>&1 || apt_install util-linux
command -v script >/dev/null 2>&1 || apt_install bsdutils
