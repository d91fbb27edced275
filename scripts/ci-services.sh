#!/usr/bin/env bash
# Make sure the services the test suite drives for real are there: python3, PostgreSQL on 127.0.0.1:5432
# (postgres superuser with trust on loopback, database "test") and MariaDB on 127.0.0.1:3306 (root, no
# password, database "test"); plus the binaries the connector probe tests start throwaway servers from
# (PostgreSQL's initdb/postgres, mariadb-install-db/mariadbd, redis-server, openssl — see src/testing/databases.ts).
# Installs from Debian's packages when absent; does nothing when present.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_install() {
  if [ "$updated" = 0 ]; then apt-get update -qq; updated=1; fi
  apt-get install -y -qq "$@" >/dev/null
}

command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv

if ! (command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q); then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  grep -q '^host all postgres 127.0.0.1/32 trust' "$hba" || sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='test'\"" | grep -q 1 || su postgres -c "createdb test"
fi

if ! (command -v mariadb-admin >/dev/null 2>&1 && mariadb-admin -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1); then
  command -v mariadbd >/dev/null 2>&1 || apt_install mariadb-server
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1
  for _ in $(seq 1 30); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done
  mariadb -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE IF NOT EXISTS test; FLUSH PRIVILEGES;"
fi

# Throwaway servers for the connector probe tests (they never touch the services above or their configuration).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
command -v mariadb-install-db >/dev/null 2>&1 || apt_install mariadb-server
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
command -v openssl >/dev/null 2>&1 || apt_install openssl
