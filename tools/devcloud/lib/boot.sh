# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The booting dev cloud (devcloud --boot ...): Nova's libvirt driver on QEMU TCG, Neutron's Open vSwitch agent
# on the userspace (netdev) datapath with DHCP and L3 agents, all inside a network namespace of its own, so it
# runs beside the fake-driver cloud on the same 127.0.0.1 ports. See docs/devcloud.md ("Booting mode").

BOOT_NS=gvcboot-$(printf '%s' "$DEVCLOUD_HOME" | sha256sum | cut -c1-8)
OVS_DIR=$RUN/ovs
LIBVIRT_DIR=$RUN/libvirt
LIBVIRT_SOCK=$LIBVIRT_DIR/libvirt-sock
# The external (provider) network lives on br-ex inside the namespace; the controller, run in the namespace
# (devcloud --boot exec), reaches floating IPs through it.
BR_EX_ADDR=172.24.4.1/24
GUEST_IMAGE_CACHE=$GOVCLOUD_CACHE/devcloud-guest
[ -z "${DEVCLOUD_BOOT:-}" ] || export OVS_RUNDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR OVS_LOGDIR=$LOGS
BOOT_AGENTS=(neutron-rpc-server neutron-openvswitch-agent neutron-dhcp-agent neutron-l3-agent)

in_boot_ns() { [ "$(ip netns identify $$ 2>/dev/null)" = "$BOOT_NS" ]; }

# boot_missing: one line per thing this machine lacks for the booting mode (command -> Debian package).
boot_missing() {
  local -A need=(
    [libvirtd]=libvirt-daemon [virsh]=libvirt-clients [qemu-system-x86_64]=qemu-system-x86 [qemu-img]=qemu-utils
    [ovsdb-server]=openvswitch-switch [ovs-vswitchd]=openvswitch-switch [ovs-vsctl]=openvswitch-switch
    [dnsmasq]=dnsmasq-base [haproxy]=haproxy [iptables-save]=iptables [genisoimage]=genisoimage
    [ip]=iproute2 [unshare]=util-linux [systemd-nspawn]=systemd-container [mke2fs]=e2fsprogs
    # the guest probe: SSH to the guests, and the bastion stand-in's sshd (guest/probe.py --bastion)
    [ssh]=openssh-client [ssh-keygen]=openssh-client [sshd]=openssh-server
  )
  local c
  for c in "${!need[@]}"; do
    command -v "$c" >/dev/null 2>&1 || echo "command $c (Debian package ${need[$c]})"
  done | sort
  [ "$(id -u)" = 0 ] || echo "root (namespaces, taps and libvirt's system instance need it)"
  [ -c /dev/net/tun ] || echo "/dev/net/tun (the kernel's TUN/TAP driver: guest NICs and OVS netdev ports are taps)"
  getent passwd libvirt-qemu >/dev/null || echo "user libvirt-qemu (Debian package libvirt-daemon-system creates it)"
  if [ -r /proc/config.gz ]; then
    local opt cfg; cfg=$(zcat /proc/config.gz)
    for opt in NET_NS VETH TUN BRIDGE NF_NAT NF_CONNTRACK; do
      grep -Eq "^CONFIG_$opt=(y|m)" <<<"$cfg" || echo "kernel option CONFIG_$opt"
    done
  fi
  "$(venv_path)/bin/python" -c 'import libvirt' 2>/dev/null || echo "libvirt-python in $(venv_path) (run: devcloud --boot install)"
  [ -f "$(guest_image_dir)/.complete" ] || echo "guest image $(guest_image_dir) (run: devcloud --boot install)"
}

boot_preflight() {
  local missing; missing=$(boot_missing)
  [ -z "$missing" ] && return 0
  {
    echo "devcloud: ERROR: the booting dev cloud cannot start on this machine; missing:"
    sed 's/^/  - /' <<<"$missing"
    echo "Nothing was started. Debian packages: tools/bootstrap/apt.sh (tools/bootstrap/apt-packages.txt)."
  } >&2
  exit 4
}

# The cloud's mount namespace: `ip netns exec` gives every command a private one (to mount the namespace's own
# /sys), and the namespaces the agents make (qdhcp-*, qrouter-*: bind mounts under /run/netns) exist only in
# the mount namespace they were made in. So one anchor process, started once by `ip netns exec`, holds the
# cloud's mount namespace, and every later command (up, status, exec, down) joins it: an agent restarted by a
# later `up` still sees its namespaces, and so does `devcloud --boot exec`.
ANCHOR_PID=$RUN/anchor.pid

anchor_pid() {  # the live anchor's PID, if any: a sleep in our network namespace
  local pid; pid=$(cat "$ANCHOR_PID" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] || return 1
  [ "$(readlink "/proc/$pid/ns/net")" = "net:[$(stat -L -c %i "/run/netns/$BOOT_NS" 2>/dev/null)]" ] || return 1
  echo "$pid"
}

start_anchor() {
  mkdir -p "$RUN"
  rm -f "$ANCHOR_PID"
  # setsid: out of the caller's session (a CI job's kill of its process group must not take the cloud's mount
  # namespace away under running services); no inherited descriptors but the null ones
  setsid ip netns exec "$BOOT_NS" sh -c 'echo $$ > "$1"; exec sleep infinity' anchor "$ANCHOR_PID" \
    </dev/null >/dev/null 2>&1 9>&- 8>&- 7>&- &
  local i
  for ((i = 0; i < 40; i++)); do anchor_pid >/dev/null && return 0; sleep 0.1; done
  die "could not start the anchor of namespace $BOOT_NS"
}

# boot_enter CMD ARGS...: re-run this command inside the cloud's namespaces (made on first use).
boot_enter() {
  if ! boot_ns_exists; then
    ip netns add "$BOOT_NS" || die "cannot create network namespace $BOOT_NS"
    ip netns exec "$BOOT_NS" ip link set lo up
  fi
  anchor_pid >/dev/null || start_anchor
  exec nsenter --target "$(anchor_pid)" --mount --net --wd="$PWD" -- "$DEVCLOUD_SRC/devcloud" --boot "$@"
}

# --- guest image ---------------------------------------------------------------------------------------

# Build (or reuse) the test-host image, then ask testhosts itself where it is (one place of its cache layout).
testhosts_image_dir() {
  "$REPO_ROOT/tools/testhosts/testhosts" image >>"$LOGS/testhosts-image.log" 2>&1 || return 1
  python3 -c 'import importlib.machinery as m, sys
mod = m.SourceFileLoader("testhosts", sys.argv[1]).load_module()
print(mod.image_dir())' "$REPO_ROOT/tools/testhosts/testhosts"
}

guest_image_key() {  # SOURCE_KEY: the test-host image it is made from, and how
  { echo "$1"; cat "$DEVCLOUD_SRC/guest/build-image.sh"; } | sha256sum | cut -c1-16
}
# The image the last install built (install records it; up only reads it, so up needs no network).
guest_image_dir() { cat "$GUEST_IMAGE_CACHE/current" 2>/dev/null || echo "$GUEST_IMAGE_CACHE/none"; }

build_guest_image() {
  local src; src=$(testhosts_image_dir) || die "tools/testhosts/testhosts image failed (log: $LOGS/testhosts-image.log)"
  local dir; dir=$GUEST_IMAGE_CACHE/$(guest_image_key "$(basename "$src")")
  if [ -f "$dir/.complete" ]; then echo "$dir" > "$GUEST_IMAGE_CACHE/current"; log "guest image ready: $dir"; return 0; fi
  mkdir -p "$GUEST_IMAGE_CACHE"
  exec 7>"$GUEST_IMAGE_CACHE/.lock"; flock 7
  rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
  timed guest-image "$DEVCLOUD_SRC/guest/build-image.sh" "$src" "$dir.tmp" > "$LOGS/guest-image.log" 2>&1 ||
    { tail -20 "$LOGS/guest-image.log" >&2; rm -rf "$dir.tmp"; die "guest image build failed (log: $LOGS/guest-image.log)"; }
  printf '{"source": "%s", "built": "%s"}\n' "$src" "$(date -u +%FT%TZ)" > "$dir.tmp/manifest.json"
  date -u +%FT%TZ > "$dir.tmp/.complete"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
  echo "$dir" > "$GUEST_IMAGE_CACHE/current"
  flock -u 7; exec 7>&-
  log "guest image ready: $dir"
}

# --- infrastructure: Open vSwitch and libvirtd ----------------------------------------------------------

start_ovs() {
  mkdir -p "$OVS_DIR"
  if ! is_alive ovsdb-server; then
    stop_service ovsdb-server 5
    [ -f "$DATA/ovs/conf.db" ] || { mkdir -p "$DATA/ovs"; ovsdb-tool create "$DATA/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema; }
    start_proc ovsdb-server "$LOGS/ovsdb-server-stdout.log" ovsdb-server "$DATA/ovs/conf.db" \
      --remote="punix:$OVS_DIR/db.sock" --remote=ptcp:6640:127.0.0.1 --pidfile="$OVS_DIR/ovsdb-server.pid" \
      --unixctl="$OVS_DIR/ovsdb-server.ctl" --log-file="$LOGS/ovsdb-server.log"
    STARTED+=(ovsdb-server)
    wait_tcp 6640 20 || die "ovsdb-server did not start (log: $LOGS/ovsdb-server.log)"
    ovs-vsctl --no-wait init
  fi
  # The guest's virtio NIC leaves TCP checksums to the host (tx offload); without virtio-net headers the
  # userspace datapath reads them unfilled from the tap, and its conntrack marks every reply of the guest
  # +inv, which the OVS firewall drops (measured: SYNs reach the guest, its SYN-ACKs counted in br-int's
  # "ct_state=+inv+trk" flow). With userspace TSO on, OVS reads the taps with vnet headers and knows the
  # checksum is partial. Read by ovs-vswitchd at start only.
  ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true
  if ! is_alive ovs-vswitchd; then
    stop_service ovs-vswitchd 5
    start_proc ovs-vswitchd "$LOGS/ovs-vswitchd-stdout.log" ovs-vswitchd "unix:$OVS_DIR/db.sock" \
      --pidfile="$OVS_DIR/ovs-vswitchd.pid" --unixctl="$OVS_DIR/ovs-vswitchd.ctl" --log-file="$LOGS/ovs-vswitchd.log"
    STARTED+=(ovs-vswitchd)
  fi
  local i
  for ((i = 0; i < 40; i++)); do ovs-vsctl --timeout=2 show >/dev/null 2>&1 && break; sleep 0.25; done
  # No openvswitch kernel module here: every bridge uses the userspace datapath.
  local br
  for br in br-int br-ex br-phys; do
    ovs-vsctl --timeout=10 --may-exist add-br "$br" -- set bridge "$br" datapath_type=netdev
  done
  # With the bridges already in conf.db (a restart, home kept) ovs-vswitchd makes their devices itself, a moment
  # after it answers: `ip` ran before br-ex existed ("Cannot find device"), the controller got no route to the
  # floating IPs, and every guest was "Network is unreachable" (measured 2026-12-08, two restarts in a row).
  for ((i = 0; i < 80; i++)); do ip link show br-ex >/dev/null 2>&1 && break; sleep 0.25; done
  ip link show br-ex >/dev/null 2>&1 || die "ovs-vswitchd made no device br-ex within 20 s (log: $LOGS/ovs-vswitchd.log)"
  ip link set br-ex up || die "could not set br-ex up"
  # not `ip | grep -q`: grep's early exit makes ip die of SIGPIPE, and pipefail reads that as "absent"
  local have; have=$(ip -4 -o addr show dev br-ex)
  [[ $have == *" inet ${BR_EX_ADDR%/*}/"* ]] || ip addr add "$BR_EX_ADDR" dev br-ex || die "could not give br-ex $BR_EX_ADDR"
}

# libvirtd's system instance has compiled-in paths (/etc/libvirt, /run/libvirt, /var/lib/libvirt, ...). It
# runs in a private mount namespace with ours bound over them, so nothing of it lands in the machine's dirs.
write_libvirt_config() {
  mkdir -p "$ETC/libvirt" "$LIBVIRT_DIR" "$DATA/libvirt/lib" "$DATA/libvirt/cache" "$LOGS/libvirt"
  write_file "$ETC/libvirt/libvirtd.conf" <<EOT
unix_sock_dir = "$LIBVIRT_DIR"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$LOGS/libvirtd.log"
EOT
  # Guests run as root without a security driver or cgroups: there is no systemd, and the test bed's
  # disks live under the cloud's home.
  write_file "$ETC/libvirt/qemu.conf" <<EOT
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
# console and QEMU logs straight to files: no virtlogd daemon to run and track
stdio_handler = "file"
EOT
}

start_libvirtd() {
  if is_alive libvirtd && virsh -c "qemu:///system?socket=$LIBVIRT_SOCK" version >/dev/null 2>&1; then return 0; fi
  stop_service libvirtd 10
  rm -f "$LIBVIRT_SOCK"
  local binds="" d
  for d in "/etc/libvirt:$ETC/libvirt" "/run/libvirt:$LIBVIRT_DIR" "/var/lib/libvirt:$DATA/libvirt/lib" \
           "/var/cache/libvirt:$DATA/libvirt/cache" "/var/log/libvirt:$LOGS/libvirt"; do
    binds+="mkdir -p ${d%%:*} && mount --bind ${d#*:} ${d%%:*} && "
  done
  start_proc libvirtd "$LOGS/libvirtd-stdout.log" unshare -m --propagation private \
    sh -c "${binds}exec libvirtd --pid-file $LIBVIRT_DIR/libvirtd.pid"
  STARTED+=(libvirtd)
  local i
  for ((i = 0; i < 80; i++)); do
    virsh -c "qemu:///system?socket=$LIBVIRT_SOCK" version >/dev/null 2>&1 && return 0
    is_alive libvirtd || break
    sleep 0.25
  done
  tail -5 "$LOGS/libvirtd.log" >&2 2>/dev/null || true
  die "libvirtd did not start (logs: $LOGS/libvirtd*.log)"
}

boot_start_infra() {
  start_ovs
  start_libvirtd
}

# --- neutron agents ---------------------------------------------------------------------------------------

privsep_sections() {  # CONFIG...: every oslo.privsep context runs our venv's helper directly (we are root)
  local s args="" c
  for c in "$@"; do args+=" --config-file $c"; done
  # every context of neutron, nova, os-vif and os-brick (grep cfg_section= in the venv); a missing one
  # falls back to "sudo privsep-helper", which is not installed here
  for s in privsep privsep_dhcp_release privsep_ovs_vsctl privsep_namespace privsep_conntrack privsep_link \
           privsep_osbrick vif_plug_ovs_privileged os_vif_privileged nova_sys_admin; do
    printf '[%s]\nhelper_command = %s/bin/privsep-helper%s\n' "$s" "$VENV" "$args"
  done
}

write_boot_configs() {
  local nc=$ETC/neutron/neutron.conf ml2=$ETC/neutron/plugins/ml2/ml2_conf.ini
  write_file "$ETC/neutron/openvswitch_agent.ini" <<EOT
[ovs]
integration_bridge = br-int
bridge_mappings = public:br-ex,physnet1:br-phys
datapath_type = netdev
ovsdb_connection = tcp:127.0.0.1:6640
of_listen_address = 127.0.0.1
[agent]
tunnel_types =
[securitygroup]
# the native OVS firewall: conntrack of the userspace datapath enforces the security groups
firewall_driver = openvswitch
enable_security_group = true
EOT
  # dnsmasq drops to user nobody by default, who cannot read the host/opts files under the agent's state
  # path in root's home: it then starts with no static lease and silently ignores every DISCOVER (its log:
  # "cannot read .../host: Permission denied"). It stays root, in its namespace, on a test cloud.
  write_file "$ETC/neutron/dnsmasq.conf" <<EOT
user=root
group=root
EOT
  write_file "$ETC/neutron/dhcp_agent.ini" <<EOT
[DEFAULT]
interface_driver = openvswitch
dnsmasq_config_file = $ETC/neutron/dnsmasq.conf
dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq
# the config drive carries the metadata; no metadata proxy
enable_isolated_metadata = false
# dnsmasq logs to syslog otherwise, and there is none here
dnsmasq_base_log_dir = $LOGS/dnsmasq
[ovs]
ovsdb_connection = tcp:127.0.0.1:6640
EOT
  write_file "$ETC/neutron/l3_agent.ini" <<EOT
[DEFAULT]
interface_driver = openvswitch
agent_mode = legacy
[ovs]
ovsdb_connection = tcp:127.0.0.1:6640
EOT
  write_file "$ETC/neutron/privsep.conf" < <(privsep_sections "$nc")
  write_file "$ETC/nova/privsep.conf" < <(privsep_sections "$ETC/nova/nova.conf")
  : "$ml2"
}

boot_start_agents() {
  local nc=(--config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/plugins/ml2/ml2_conf.ini")
  local pc=(--config-file "$ETC/neutron/privsep.conf")
  local lf=--log-file="$LOGS"  # each its own log (neutron.conf's log_file is the API's)
  start_daemon neutron-rpc-server "${nc[@]}" "$lf/neutron-rpc-server.log"
  start_daemon neutron-openvswitch-agent "${nc[@]}" --config-file "$ETC/neutron/openvswitch_agent.ini" "${pc[@]}" \
    "$lf/neutron-openvswitch-agent.log"
  start_daemon neutron-dhcp-agent --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/dhcp_agent.ini" \
    "${pc[@]}" "$lf/neutron-dhcp-agent.log"
  start_daemon neutron-l3-agent --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/l3_agent.ini" \
    "${pc[@]}" "$lf/neutron-l3-agent.log"
}

# Named namespaces the agents made (qrouter-*, qdhcp-*) are mounts in the mount namespace of the `up` that
# started them, with an empty file of the same name under the machine's /run/netns. Those mounted here are
# ours (no other cloud on the machine runs agents): kill what runs in them, delete them, and record the
# names so that boot_down removes the files from the machine's view too.
boot_cleanup_netns() {
  local ns p
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^(qrouter|qdhcp)-/ {print $1}'); do
    mountpoint -q "/run/netns/$ns" || continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    echo "$ns" >> "$RUN/agent-netns"
  done
}

boot_nova_conf() {
  cat <<EOT
[DEFAULT]
# every server gets a config drive: cloud-init in the guest reads key, host name and instance id from it
force_config_drive = true
# Neutron sends no vif-plugged events to Nova here (no notifier): the OVS agent wires the tap within a second
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
# keep the qcow2 base image qcow2 (a raw copy of the 3 GiB image per base costs disk and time)
force_raw_images = false
[libvirt]
virt_type = qemu
connection_uri = qemu+unix:///system?socket=$LIBVIRT_SOCK
# TCG: no host CPU model to pass through
cpu_mode = none
[os_vif_ovs]
ovsdb_connection = tcp:127.0.0.1:6640
[compute]
# one guest at a time is what two shared cores can boot under TCG
max_concurrent_builds = 1
EOT
}

# Guests first (libvirt leaves QEMU running when libvirtd stops), then the agents while the database still
# names their namespaces.
boot_stop_guests_and_agents() {
  local v=(virsh -c "qemu:///system?socket=$LIBVIRT_SOCK") dom
  if is_alive libvirtd; then
    for dom in $("${v[@]}" list --all --name 2>/dev/null); do
      "${v[@]}" destroy "$dom" >/dev/null 2>&1 || true
      "${v[@]}" undefine --nvram "$dom" >/dev/null 2>&1 || "${v[@]}" undefine "$dom" >/dev/null 2>&1 || true
    done
  fi
  local s
  for s in nova-compute "${BOOT_AGENTS[@]}"; do stop_service "$s" 20; done
  boot_cleanup_netns
  for s in libvirtd ovs-vswitchd ovsdb-server; do stop_service "$s" 20; done
}

boot_ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$BOOT_NS"; }

boot_install() {
  cmd_install "$@"
  mkdir -p "$LOGS"
  build_guest_image
}

# down from outside: stop everything inside, then whatever is left in the namespace, then the namespace.
boot_down() {
  if ! boot_ns_exists; then log "booting cloud: namespace $BOOT_NS absent, nothing runs"; return 0; fi
  local anchor; anchor=$(anchor_pid) || anchor=""
  if [ -n "$anchor" ]; then
    nsenter --target "$anchor" --mount --net --wd="$PWD" -- "$DEVCLOUD_SRC/devcloud" --boot down "$@" || true
  else
    ip netns exec "$BOOT_NS" "$DEVCLOUD_SRC/devcloud" --boot down "$@" || true
  fi
  [ -z "$anchor" ] || { kill -TERM "$anchor" 2>/dev/null || true; }
  sleep 0.2
  local left
  left=$(ip netns pids "$BOOT_NS" 2>/dev/null | tr '\n' ' ')
  if [ -n "${left// /}" ]; then
    log "booting cloud: killing what is left in $BOOT_NS: $left"
    kill -KILL $left 2>/dev/null || true
    sleep 1
  fi
  local ns
  for ns in $(sort -u "$RUN/agent-netns" 2>/dev/null); do ip netns del "$ns" 2>/dev/null || true; done
  rm -f "$RUN/agent-netns"
  ip netns del "$BOOT_NS" || die "could not delete network namespace $BOOT_NS"
  log "booting cloud stopped; namespace $BOOT_NS removed"
}

# Cinder's backend for real guest disks: sparse files attached through loop devices (devcloud_cinder; why
# no in-tree backend works on this kernel is in its docstring and docs/devcloud.md). Its [DEFAULT] comes
# after cinder.conf's first one, so its enabled_backends wins.
boot_cinder_conf() {
  cat <<EOT
[DEFAULT]
enabled_backends = loop
[loop]
volume_backend_name = loop
volume_driver = devcloud_cinder.driver.LoopVolumeDriver
loop_volume_dir = $DATA/cinder/loop-volumes
EOT
}
