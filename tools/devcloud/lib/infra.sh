# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# MariaDB, epmd, RabbitMQ and memcached as plain background processes (no systemd here), loopback only.

mysql_root() { mariadb --socket="$RUN/mysqld.sock" -uroot "$@"; }

start_mariadb() {
  is_alive mariadb && mysql_root -e 'select 1' >/dev/null 2>&1 && return 0
  stop_service mariadb 30
  if [ ! -d "$DATA/mysql/mysql" ]; then
    mkdir -p "$DATA/mysql"
    mariadb-install-db --user=root --datadir="$DATA/mysql" --auth-root-authentication-method=normal \
      > "$LOGS/mariadb-install.log" 2>&1 || die "mariadb-install-db failed, see $LOGS/mariadb-install.log"
  fi
  # Durability is traded for speed only where a lost second is harmless: commits reach the OS at once
  # (flush-log-at-trx-commit=2 survives a killed mariadbd) but are not fsynced; the doublewrite buffer stays on,
  # because without it a machine stopped mid-write leaves torn pages that crash recovery cannot mend.
  start_proc mariadb "$LOGS/mariadb-stdout.log" mariadbd --no-defaults --user=root --datadir="$DATA/mysql" \
    --socket="$RUN/mysqld.sock" --pid-file="$RUN/mariadb.daemon-pid" --bind-address=127.0.0.1 --port=3306 \
    --skip-name-resolve --innodb-buffer-pool-size=128M --max-connections=500 \
    --innodb-flush-log-at-trx-commit=2 --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --log-error="$LOGS/mariadb.log"
  local i
  for ((i = 0; i < 240; i++)); do
    mysql_root -e 'select 1' >/dev/null 2>&1 && return 0
    is_alive mariadb || break
    sleep 0.25
  done
  tail -20 "$LOGS/mariadb.log" >&2 || true
  die "MariaDB did not start, see $LOGS/mariadb.log"
}

database_sound() {
  # CHECK TABLE over every schema: ~0.2 s for the whole cloud, and it names corrupt indexes InnoDB would
  # otherwise only report on the first query that touches them.
  mariadb-check --socket="$RUN/mysqld.sock" -uroot --all-databases > "$LOGS/dbcheck.log" 2>&1 &&
    ! grep -q '^error' "$LOGS/dbcheck.log"
}

# Keystone without a cache answered each request in 80-110 ms (every token validation and assignment lookup
# goes to SQL), with it in 10-30 ms; a cloud in production always runs one. memcached, not oslo.cache's
# in-process dict: Keystone runs 3 worker processes, and a per-process cache would keep a deleted project or
# revoked role alive in the workers that did not see the change.
start_memcached() {
  is_alive memcached && wait_tcp 11211 1 && return 0
  stop_service memcached 10
  STARTED+=(memcached)
  start_proc memcached "$LOGS/memcached.log" memcached -l 127.0.0.1 -p 11211 -U 0 -m 64 -t 2 -u root
  wait_tcp 11211 20 || die "memcached did not start, see $LOGS/memcached.log"
}

rabbit_env() {
  export HOME=$DATA/rabbit RABBITMQ_HOME=$DATA/rabbit
  export RABBITMQ_MNESIA_BASE=$DATA/rabbit/mnesia RABBITMQ_LOG_BASE=$LOGS/rabbitmq
  export RABBITMQ_PID_FILE=$RUN/rabbitmq.daemon-pid RABBITMQ_NODENAME=rabbit@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672
  export RABBITMQ_CONFIG_FILE=$ETC/rabbitmq/rabbitmq.conf RABBITMQ_ADVANCED_CONFIG_FILE=$ETC/rabbitmq/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$ETC/rabbitmq/enabled_plugins RABBITMQ_CONF_ENV_FILE=$ETC/rabbitmq/rabbitmq-env.conf
  # Erlang's port mapper must listen on loopback too, and be ours (see start_epmd).
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=4369
}

write_rabbit_config() {
  mkdir -p "$ETC/rabbitmq" "$DATA/rabbit" "$LOGS/rabbitmq"
  # The default user is created on the node's first boot, so no rabbitmqctl round trip (an extra Erlang VM,
  # ~3 s each) is needed.
  write_file "$ETC/rabbitmq/rabbitmq.conf" <<EOT
listeners.tcp.1 = 127.0.0.1:5672
default_user = openstack
default_pass = $DEVCLOUD_PASSWORD
default_vhost = /
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.file.level = warning
EOT
  # The distribution listener (25672) binds 0.0.0.0 unless told otherwise.
  write_file "$ETC/rabbitmq/advanced.config" <<'EOT'
[{kernel, [{inet_dist_use_interface, {127,0,0,1}}]}].
EOT
  write_file "$ETC/rabbitmq/enabled_plugins" <<'EOT'
[].
EOT
  write_file "$ETC/rabbitmq/rabbitmq-env.conf" </dev/null
}

start_epmd() {
  is_alive epmd && return 0
  stop_service epmd 5
  # Started by us in the foreground (not "-daemon" as Erlang would) so it has a PID file and a group.
  start_proc epmd "$LOGS/epmd.log" epmd -address 127.0.0.1 -port 4369
  wait_tcp 4369 20 || die "epmd did not start, see $LOGS/epmd.log"
}

# launch_rabbitmq starts the node unless it runs and listens; wait_rabbitmq waits for AMQP on 5672.
launch_rabbitmq() {
  is_alive rabbitmq && wait_tcp 5672 1 && return 0
  stop_service rabbitmq 30
  ( rabbit_env; start_proc rabbitmq "$LOGS/rabbitmq-stdout.log" "$RABBIT_BIN/rabbitmq-server" )
  STARTED+=(rabbitmq)
}

wait_rabbitmq() {
  local i
  for ((i = 0; i < 240; i++)); do
    (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && return 0
    is_alive rabbitmq || break
    sleep 0.25
  done
  tail -20 "$LOGS/rabbitmq-stdout.log" >&2 || true
  die "RabbitMQ did not start, see $LOGS/rabbitmq-stdout.log and $LOGS/rabbitmq/"
}
