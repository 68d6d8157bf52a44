#!/usr/bin/env sh
# Start a throw-away PostgreSQL server for the web tests and print its URL.
# pg_ctl refuses to run as root, so the cluster belongs to the `postgres` user;
# it listens on loopback only, on a port of its own, with trust auth for local tests.
set -eu
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "no PostgreSQL server binaries" >&2; exit 1; }
DIR=${ACCORD_PG_DIR:-/tmp/accord-pg}
PORT=${ACCORD_PG_PORT:-54329}
RUN="sh -c"
[ "$(id -u)" = 0 ] && RUN="su postgres -s /bin/sh -c"
if [ ! -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"; [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  $RUN "$BIN/initdb -D $DIR -U postgres -A trust --no-sync" >/dev/null
fi
if ! $RUN "$BIN/pg_ctl -D $DIR status" >/dev/null 2>&1; then
  $RUN "$BIN/pg_ctl -D $DIR -l $DIR/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off' start" >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
