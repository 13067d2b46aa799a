# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# devcloud up / down / status / mem / reset / env.

# name -> "port wsgi-module" for the gunicorn-served APIs
declare -A API_APP=(
  [keystone]="5000 w_keystone" [placement]="8778 w_placement" [nova-api]="8774 w_nova"
  [neutron]="9696 w_neutron" [glance]="9292 w_glance" [cinder-api]="8776 w_cinder"
)
# gunicorn workers x threads per API (default 1 x 4: each extra worker costs ~150 MB of RSS on 2 shared cores).
# Keystone is not safe with threads: under concurrent requests a project token was seen carrying another
# token's roles (an application credential refused for the "admin" role its user never had; 15 of 20 attempts
# beside 3 threads of admin calls, 0 of 10 alone), so it gets processes only.
declare -A API_WORKERS=([keystone]="3 1")

admin_py() { "$VENV/bin/python" "$DEVCLOUD_SRC/lib/devcloud_admin.py" "$@"; }

# Markers say which one-time steps this state has had; keyed on what the step depends on, so a
# service version bump (new venv key) re-runs the schema migrations.
marker() { echo "$DATA/markers/$1-$(venv_key)"; }

start_api() {
  local name=$1 port=${API_APP[$1]% *} module=${API_APP[$1]#* }
  if is_alive "$name" && wait_http "http://127.0.0.1:$port/" 1; then return 0; fi
  stop_service "$name" 10
  local workers=${API_WORKERS[$name]:-1 4}
  # keep-alive longer than any client's idle time: with gunicorn's 2 s default, a client reusing a pooled
  # connection races the server closing it ("Remote end closed connection without response").
  DEVCLOUD_ETC=$ETC start_proc "$name" "$LOGS/$name-gunicorn.log" "$VENV/bin/gunicorn" --chdir "$ETC/wsgi" \
    -k gthread -w "${workers% *}" --threads "${workers#* }" -b "127.0.0.1:$port" --timeout 300 --keep-alive 75 --no-control-socket \
    --access-logfile "$LOGS/$name-access.log" --error-logfile "$LOGS/$name-gunicorn.log" "$module:application"
  STARTED+=("$name")
}

start_daemon() {
  local name=$1; shift
  is_alive "$name" && return 0
  stop_service "$name" 10
  FRESH+=(--fresh "$name=$(date +%s)")
  start_proc "$name" "$LOGS/$name-stdout.log" "$VENV/bin/$name" "$@"
  STARTED+=("$name")
}

wait_api() {
  local name=$1 port=${API_APP[$1]% *}
  wait_http "http://127.0.0.1:$port/" 180 "$name" && return 0
  tail -15 "$LOGS/$name-gunicorn.log" >&2 2>/dev/null || true
  die "$name did not answer on 127.0.0.1:$port (logs: $LOGS/$name*.log)"
}

keystone_setup() {
  local m; m=$(marker keystone)
  [ -f "$m" ] && return 0
  local kc=(--config-file "$ETC/keystone/keystone.conf")
  mkdir -p "$DATA/keystone/fernet-keys" "$DATA/keystone/credential-keys"
  {
    "$VENV/bin/keystone-manage" "${kc[@]}" db_sync &&
    { [ -f "$DATA/keystone/fernet-keys/0" ] || "$VENV/bin/keystone-manage" "${kc[@]}" fernet_setup --keystone-user root --keystone-group root; } &&
    { [ -f "$DATA/keystone/credential-keys/0" ] || "$VENV/bin/keystone-manage" "${kc[@]}" credential_setup --keystone-user root --keystone-group root; } &&
    "$VENV/bin/keystone-manage" "${kc[@]}" bootstrap --bootstrap-password "$DEVCLOUD_PASSWORD" \
      --bootstrap-admin-url "$KS_URL/v3/" --bootstrap-internal-url "$KS_URL/v3/" \
      --bootstrap-public-url "$KS_URL/v3/" --bootstrap-region-id RegionOne
  } > "$LOGS/keystone-setup.log" 2>&1 || { tail -20 "$LOGS/keystone-setup.log" >&2; die "keystone setup failed, see $LOGS/keystone-setup.log"; }
  touch "$m"
}

wait_apis() {
  local s
  for s in "$@"; do wait_api "$s"; done
}

catalog_setup() {
  local m; m=$(marker catalog)
  [ -f "$m" ] && return 0
  admin_py catalog > "$LOGS/catalog.log" 2>&1 || { tail -20 "$LOGS/catalog.log" >&2; die "catalog setup failed, see $LOGS/catalog.log"; }
  touch "$m"
}

nova_dbsync() {
  local nc=(--config-file "$ETC/nova/nova.conf") nm=$VENV/bin/nova-manage
  "$nm" "${nc[@]}" api_db sync &&
  "$nm" "${nc[@]}" cell_v2 map_cell0 &&
  { "$nm" "${nc[@]}" cell_v2 list_cells 2>/dev/null | grep -q ' cell1 ' || "$nm" "${nc[@]}" cell_v2 create_cell --name=cell1 --verbose; } &&
  "$nm" "${nc[@]}" db sync
}

dbsync_one() {  # NAME CMD...: log per service, fail loudly
  local name=$1; shift
  timed "dbsync-$name" "$@" > "$LOGS/dbsync-$name.log" 2>&1 || { tail -20 "$LOGS/dbsync-$name.log" >&2; return 1; }
}

dbsync_all() {
  local m; m=$(marker dbsync)
  [ -f "$m" ] && return 0
  # Two lanes for two cores: nova's four migrations against the other four services.
  dbsync_one nova nova_dbsync &
  local nova_pid=$!
  local rc=0
  {
    dbsync_one placement "$VENV/bin/placement-manage" --config-file "$ETC/placement/placement.conf" db sync &&
    dbsync_one neutron "$VENV/bin/neutron-db-manage" --config-file "$ETC/neutron/neutron.conf" \
      --config-file "$ETC/neutron/plugins/ml2/ml2_conf.ini" upgrade head &&
    dbsync_one glance "$VENV/bin/glance-manage" --config-dir "$ETC/glance" db_sync &&
    dbsync_one cinder "$VENV/bin/cinder-manage" --config-file "$ETC/cinder/cinder.conf" db sync
  } || rc=1
  wait "$nova_pid" || rc=1
  [ $rc = 0 ] || die "database migration failed (logs: $LOGS/dbsync-*.log)"
  touch "$m"
}

# Without databases, every marker and service state dir belongs to an older cloud.
check_state_dirs() {
  if [ ! -d "$DATA/mysql/mysql" ] && [ -d "$DATA/markers" ]; then
    log "no databases under $DATA/mysql: discarding the old service state with them"
    rm -rf "$DATA/markers" "$DATA/nova" "$DATA/cinder" "$DATA/glance" "$DATA/neutron" "$DATA/keystone"
  fi
  mkdir -p "$DATA/markers"
}

# Nova's compute node identity (state_path/compute_id) and the nova database must describe the same
# cloud, or nova-compute refuses to start ("No local node identity found, but this is not our first
# startup"). That happens when nova-compute is killed between registering its service and writing
# compute_id, or when one of the two was deleted by hand. Repair from the database, which is the truth.
reconcile_nova_identity() {
  local idf=$DATA/nova/compute_id node svc
  if [ ! -f "$(marker dbsync)" ]; then rm -f "$idf"; return 0; fi
  node=$(mysql_root -N -e "SELECT uuid FROM nova.compute_nodes WHERE host='devcloud' AND deleted=0 LIMIT 1" 2>/dev/null || true)
  svc=$(mysql_root -N -e "SELECT COUNT(*) FROM nova.services WHERE \`binary\`='nova-compute' AND host='devcloud' AND deleted=0" 2>/dev/null || echo 0)
  if [ -n "$node" ]; then
    if [ "$(cat "$idf" 2>/dev/null)" != "$node" ]; then
      log "nova: restoring $idf from the database (compute node $node)"
      mkdir -p "$DATA/nova"; printf '%s' "$node" > "$idf"
    fi
  elif [ "${svc:-0}" -gt 0 ] && [ ! -f "$idf" ]; then
    # registered but never got a compute node: nothing can depend on it yet, so let it register afresh
    log "nova: removing the half-registered nova-compute service record"
    mysql_root -e "DELETE FROM nova.services WHERE \`binary\`='nova-compute' AND host='devcloud'"
  fi
}

start_sampler() {
  is_alive memsampler && return 0
  stop_service memsampler 2
  rm -f "$RUN/mem.peak"
  start_proc memsampler "$LOGS/memsampler.log" "$VENV/bin/python" "$DEVCLOUD_SRC/lib/memsampler.py" \
    "$DEVCLOUD_HOME" "$LOGS" "$RUN" 2
}

cmd_up() {
  local t0; t0=$(now)
  VENV=$(venv_path)
  [ -f "$VENV/.complete" ] || cmd_install
  mkdir -p "$ETC" "$DATA" "$RUN" "$LOGS"
  exec 9>"$RUN/.lock"
  flock -w 900 9 || die "another 'devcloud up/down' holds $RUN/.lock for 15 min"
  if [ -f "$RUN/venv" ] && [ "$(cat "$RUN/venv")" != "$VENV" ] && [ -n "$(marked_pids)" ]; then
    log "the running cloud uses $(cat "$RUN/venv"); restarting it on $VENV"
    stop_all
  fi
  echo "$VENV" > "$RUN/venv"
  check_state_dirs
  check_ports "${ALL_PORTS[@]}" ${DEVCLOUD_BOOT:+6640 6633}
  STARTED=() FRESH=()
  start_sampler
  CHANGED_FILES=()
  write_rabbit_config
  [ -z "${DEVCLOUD_BOOT:-}" ] || write_libvirt_config
  local s
  for s in $(services_to_restart); do
    is_alive "$s" || continue
    log "$s: configuration changed, restarting it"
    stop_service "$s" 20
  done
  timed infra start_infra
  if [[ " ${STARTED[*]:-} " == *" mariadb "* ]] && ! database_sound; then
    # A copied or killed machine can leave torn InnoDB pages; services then answer 500 for one table and the
    # cause is far from the symptom. The state is disposable, so rebuild it instead of running on it.
    [ -z "${DEVCLOUD_REBUILT:-}" ] ||
      die "MariaDB reports corrupt tables in the state it has just built (see $LOGS/dbcheck.log): check the disk under $DATA"
    log "MariaDB reports $(grep -c '^error' "$LOGS/dbcheck.log") corrupt table(s) (see $LOGS.prev/dbcheck.log), the mark of a machine stopped or copied mid-write; wiping the cloud's state and starting afresh"
    stop_all
    wipe_state
    DEVCLOUD_REBUILT=1 exec "$here/devcloud" up
  fi
  CHANGED_FILES=()
  write_configs "$VENV"
  [ -z "${DEVCLOUD_BOOT:-}" ] || write_boot_configs
  for s in $(services_to_restart); do
    is_alive "$s" || continue
    log "$s: configuration changed, restarting it"
    stop_service "$s" 20
  done
  create_databases || die "creating databases failed"
  timed keystone-setup keystone_setup
  start_api keystone
  timed keystone-ready wait_api keystone
  timed catalog catalog_setup
  timed dbsync dbsync_all
  is_alive nova-compute || reconcile_nova_identity
  for s in placement nova-api neutron glance cinder-api; do start_api "$s"; done
  local nc=(--config-file "$ETC/nova/nova.conf") cc=(--config-file "$ETC/cinder/cinder.conf")
  start_daemon nova-conductor "${nc[@]}"
  start_daemon nova-scheduler "${nc[@]}"
  if [ -n "${DEVCLOUD_BOOT:-}" ]; then
    boot_start_agents
    start_daemon nova-compute "${nc[@]}" --config-file "$ETC/nova/privsep.conf"
  else
    start_daemon nova-compute "${nc[@]}"
  fi
  start_daemon cinder-scheduler "${cc[@]}"
  start_daemon cinder-volume "${cc[@]}"
  timed apis-ready wait_apis placement nova-api neutron glance cinder-api
  timed compute-ready admin_py ready --timeout 300 "${FRESH[@]}" ${DEVCLOUD_BOOT:+--boot "$(guest_image_dir)"} > "$LOGS/ready.log" 2>&1 ||
    { cat "$LOGS/ready.log" >&2; die "compute/volume services did not come up (logs: $LOGS/nova-compute.log, $LOGS/cinder-volume.log)"; }
  for s in keystone "${API_SERVICES[@]}" "${DAEMONS[@]}" ${DEVCLOUD_BOOT:+"${BOOT_AGENTS[@]}" ovsdb-server ovs-vswitchd libvirtd}; do
    is_alive "$s" || die "$s died during start-up (logs: $LOGS/$s*.log)"
  done
  local dt; dt=$(printf '%.1f' "$(echo "$(now) - $t0" | bc)")
  printf '%s\tup-total\t%s\tstarted: %s\n' "$(date -u +%FT%TZ)" "$dt" "${STARTED[*]:-nothing}" >> "$TIMINGS"
  log "cloud ready in ${dt}s (started: ${STARTED[*]:-nothing}); clouds.yaml: $CLOUDS_YAML (cloud devcloud-admin); logs: $LOGS"
}

start_infra() {
  start_epmd
  # RabbitMQ boots in ~8 s; let it do so while MariaDB starts.
  launch_rabbitmq
  start_memcached
  is_alive mariadb || STARTED+=(mariadb)
  start_mariadb
  [ -z "${DEVCLOUD_BOOT:-}" ] || boot_start_infra
  wait_rabbitmq
}

stop_all() {
  local s
  if [ -n "${DEVCLOUD_BOOT:-}" ]; then boot_stop_guests_and_agents; fi
  for s in "${STOP_ORDER[@]}" epmd; do stop_service "$s" 20; done
  # anything else this home has a record of (e.g. a service an older version of this script started)
  for s in $( { for f in "$RUN"/*.pid; do [ -e "$f" ] && basename "$f" .pid; done
               awk '{print $1}' "$RUN/sessions" 2>/dev/null; } | sort -u); do
    stop_service "$s" 20
  done
}

cmd_down() {
  mkdir -p "$RUN"
  exec 9>"$RUN/.lock"
  flock -w 900 9 || die "another 'devcloud up/down' holds $RUN/.lock"
  stop_all
  local left; left=$(marked_pids)
  if [ -n "$left" ]; then
    log "stray processes of this cloud: $left; killing them"
    kill -KILL $left 2>/dev/null || true
    sleep 1
    left=$(marked_pids)
  fi
  if [ -n "$left" ]; then
    ps -o pid,pgid,etime,args -p "$(echo $left | tr ' ' ,)" >&2 || true
    die "processes of this dev cloud are still running: $left"
  fi
  log "dev cloud stopped; no process of $DEVCLOUD_HOME is left"
}

cmd_reset() {
  cmd_down
  wipe_state
  cmd_up
}

wipe_state() {
  # Databases, nova/cinder/glance state and configs go together (see reconcile_nova_identity).
  rm -rf "$DATA" "$ETC" "$RUN" "$CLOUDS_YAML"
  if [ -d "$LOGS" ]; then rm -rf "$LOGS.prev"; mv "$LOGS" "$LOGS.prev"; fi
  log "state wiped (previous logs: $LOGS.prev)"
}

cmd_status() {
  local bad=0 s port
  VENV=$(active_venv)
  printf 'dev cloud %s (venv %s)\n' "$DEVCLOUD_HOME" "$VENV"
  printf '  %-18s %-8s %s\n' SERVICE PID STATE
  for s in epmd mariadb rabbitmq memcached keystone "${API_SERVICES[@]}" "${DAEMONS[@]}" memsampler \
           ${DEVCLOUD_BOOT:+ovsdb-server ovs-vswitchd libvirtd "${BOOT_AGENTS[@]}"}; do
    local pid state
    pid=$(read_pid "$s" 2>/dev/null || echo -)
    if is_alive "$s"; then
      state=running
      case $s in
        mariadb) mysql_root -e 'select 1' >/dev/null 2>&1 || { state="running, not answering"; bad=1; } ;;
        rabbitmq) wait_tcp 5672 1 || { state="running, port 5672 closed"; bad=1; } ;;
        memcached) wait_tcp 11211 1 || { state="running, port 11211 closed"; bad=1; } ;;
        epmd) wait_tcp 4369 1 || { state="running, port 4369 closed"; bad=1; } ;;
        *)
          if [ -n "${API_APP[$s]:-}" ]; then
            port=${API_APP[$s]% *}
            if wait_http "http://127.0.0.1:$port/" 1; then state="running, answers on 127.0.0.1:$port"
            else state="running, no answer on 127.0.0.1:$port"; bad=1; fi
          fi ;;
      esac
    else
      state=DEAD; bad=1
    fi
    printf '  %-18s %-8s %s\n' "$s" "$pid" "$state"
  done
  # Everything we listen on must be loopback.
  local pids exposed
  pids=$(marked_pids | paste -sd'|' -)
  if [ -n "$pids" ]; then
    exposed=$(ss -ltnupH 2>/dev/null | grep -E "pid=($pids)," | awk '{print $5}' | grep -Ev '^(127\.0\.0\.1|\[::1\]):' || true)
    if [ -n "$exposed" ]; then echo "  FAIL listening beyond loopback: $exposed"; bad=1
    else echo "  OK   every listening socket is on 127.0.0.1"; fi
  fi
  if [ -x "$VENV/bin/python" ] && is_alive keystone; then
    echo "API checks:"
    admin_py health || bad=1
  else
    echo "API checks: skipped (keystone not running)"; bad=1
  fi
  cmd_mem 2>/dev/null | sed 's/^/  /' || true
  echo "logs: $LOGS"
  [ $bad = 0 ] && echo "status: healthy" || echo "status: UNHEALTHY"
  return $bad
}

cmd_mem() {
  [ -f "$RUN/mem.peak" ] || { echo "no memory samples (is the cloud up? the sampler starts with up)"; return 1; }
  python3 - "$RUN/mem.peak" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"memory: peak {d.get('peak_mib', 0)} MiB RSS over {d.get('processes_at_peak', '?')} processes at {d.get('peak_time', '?')}; "
      f"now {d.get('current_mib', 0)} MiB over {d.get('processes', 0)} processes")
top = sorted(d.get("peak_by_service_mib", {}).items(), key=lambda kv: -kv[1])
print("memory at peak by service (MiB): " + ", ".join(f"{k} {v}" for k, v in top))
PY
}

cmd_env() {
  echo "export OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML"
  echo "export OS_CLOUD=devcloud-admin"
}
