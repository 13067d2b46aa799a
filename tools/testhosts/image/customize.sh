#!/bin/bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Turn a debootstrap rootfs into a test-host image that boots both as a systemd-nspawn container and as a
# QEMU VM.  Called by `testhosts image` with ROOT, MIRROR, SECURITY_MIRROR, SUITE and APT_ARCHIVES (a .deb
# cache shared between builds, bound over the image's /var/cache/apt/archives, so the image stays clean).
# This file is part of the image cache key: edit it and the next `testhosts image` rebuilds the image.
# Nothing per-instance or per-run (SSH keys, hostname, addresses) goes in here; `testhosts up` injects those.
set -euo pipefail
: "${ROOT:?}" "${MIRROR:?}" "${SECURITY_MIRROR:?}" "${SUITE:?}" "${APT_ARCHIVES:?}"
here=$(cd "$(dirname "$0")" && pwd)

# Run a command inside the rootfs with the host's network (apt needs it at build time only).
in_root() {
  SYSTEMD_LOG_LEVEL=warning systemd-nspawn -q -D "$ROOT" --register=no --keep-unit --pipe \
    --resolv-conf=copy-host --timezone=off --link-journal=no --bind="$APT_ARCHIVES:/var/cache/apt/archives" \
    -E DEBIAN_FRONTEND=noninteractive -E LC_ALL=C.UTF-8 /bin/sh -euc "$1"
}

cat > "$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF

# Security updates at build time, so a host starts patched (8.1.4.4.e: "pending security updates = 0").
# Package lists stay in the image: hosts have no apt access, but roles may ask apt what is installed/pending.
in_root '
apt-get -q update
apt-get -q -y -o Dpkg::Options::=--force-confold dist-upgrade
newest=$(ls /boot/vmlinuz-* | sed "s|/boot/vmlinuz-||" | sort -V | tail -n1)
for p in $(dpkg-query -W -f "\${Package}\n" "linux-image-[0-9]*"); do
  [ "$p" = "linux-image-$newest" ] || apt-get -q -y purge "$p"
done
'

echo testhost > "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
# VM root disk is found by label (virtio device order is not stable); containers get an empty fstab.
echo 'LABEL=testroot / ext4 rw,errors=remount-ro 0 1' > "$ROOT/etc/fstab"

# Networking: systemd-networkd. VMs take DHCP from QEMU's user network; containers get a per-instance
# static file (05-testhost.network, written by `testhosts up`) that sorts before this one.
mkdir -p "$ROOT/etc/systemd/network"
cat > "$ROOT/etc/systemd/network/80-testhost-dhcp.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
in_root 'systemctl enable systemd-networkd.service'
# No DNS on test hosts (no outside network): an empty resolv.conf fails lookups at once instead of timing out.
printf '# test hosts have no DNS\n' > "$ROOT/etc/resolv.conf"

# Per-run SSH key and the VM's own host key: QEMU passes them as fw_cfg blobs opt/testhosts/authorized_keys and
# opt/testhosts/ssh_host_ed25519_key; this unit installs them before sshd starts. Containers get both written
# into their overlay instead (unit skipped there).
install -m 0755 "$here/testhosts-guest-key" "$ROOT/usr/local/sbin/testhosts-guest-key"
cat > "$ROOT/etc/systemd/system/testhosts-guest-key.service" <<'EOF'
[Unit]
Description=Install the test-run SSH key and the host key passed by QEMU fw_cfg
ConditionVirtualization=vm
DefaultDependencies=no
After=local-fs.target
Before=ssh.service sysinit.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/testhosts-guest-key

[Install]
WantedBy=sysinit.target
EOF
in_root 'systemctl enable testhosts-guest-key.service'

# Kernel audit exists only in the initial PID namespace: in a container auditd can never start. Skip it
# there (condition, not failure) so the container is not "degraded"; on VMs auditd runs as shipped.
mkdir -p "$ROOT/etc/systemd/system/auditd.service.d"
cat > "$ROOT/etc/systemd/system/auditd.service.d/testhosts-container.conf" <<'EOF'
[Unit]
ConditionVirtualization=!container
EOF

# Fast boot: nothing waits for "network online" (there is no outside network to wait for).
ln -sf /dev/null "$ROOT/etc/systemd/system/systemd-networkd-wait-online.service"
# Serial console only: the VM has no display, the container uses its console; no getty on tty1.
ln -sf /dev/null "$ROOT/etc/systemd/system/getty@tty1.service"

# Each instance gets its own machine-id at first boot; image-wide identifiers must not be shared.
: > "$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
# No host keys in the image: every instance gets its own ed25519 key from `testhosts up`, pinned in the run's
# known_hosts (containers: written into the overlay; VMs: fw_cfg, installed by testhosts-guest-key).
rm -f "$ROOT"/etc/ssh/ssh_host_*_key "$ROOT"/etc/ssh/ssh_host_*_key.pub
rm -rf "$ROOT/root/.ssh"
