#!/usr/bin/env bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The booting dev cloud's guest image: the project's cached test-host rootfs (tools/testhosts) made into an
# OpenStack cloud image. cloud-init (Debian's package, ConfigDrive datasource) takes the key, host name and
# per-instance SSH host keys from Nova's config drive, as on a real cloud. Usage: build-image.sh SRC_DIR OUT_DIR
# (SRC_DIR: a testhosts image cache directory with rootfs/, vmlinuz, initrd.img). This file is hashed into
# the cache key of the result.
set -euo pipefail
src=$1 out=$2
root=$out/rootfs
rm -rf "$root"
cp -a --reflink=auto "$src/rootfs" "$root"
in_root() {
  SYSTEMD_LOG_LEVEL=warning systemd-nspawn -q -D "$root" --register=no --keep-unit --pipe \
    --resolv-conf=copy-host --timezone=off --link-journal=no \
    -E DEBIAN_FRONTEND=noninteractive -E LC_ALL=C.UTF-8 /bin/sh -euc "$1"
}
in_root 'apt-get -q update && apt-get -q -y --no-install-recommends install cloud-init && apt-get clean'
mkdir -p "$root/etc/cloud/cloud.cfg.d"
cat > "$root/etc/cloud/cloud.cfg.d/90-govcloud-devcloud.cfg" <<'CFG'
# Nova writes a config drive for every server of the booting dev cloud: no metadata-service probing
# (each probe costs seconds under TCG).
datasource_list: [ConfigDrive, None]
# Per-instance host keys (the test-host image shares debootstrap's); ed25519 only: RSA generation takes
# tens of seconds under TCG. cloud-init prints them to the console, where the controller reads them to pin.
ssh_deletekeys: true
ssh_genkeytypes: [ed25519]
# The collection connects as root with the keypair (as the test hosts do).
disable_root: false
users: []
# The network comes from the image's systemd-networkd DHCP (Neutron's dnsmasq answers it).
network: {config: disabled}
# The host's own name in /etc/hosts, as Debian's cloud images have it (manage_etc_hosts): without it every
# sudo waits for DNS to resolve the new host name (measured 22.7 s per sudo on a guest), so each become task.
manage_etc_hosts: true
# Only the modules a test guest needs: each costs seconds under TCG, and locale generation alone minutes.
cloud_init_modules: [seed_random, set_hostname, update_hostname, update_etc_hosts, users_groups, ssh]
cloud_config_modules: [runcmd]
cloud_final_modules: [scripts_per_instance, scripts_user, ssh_authkey_fingerprints, keys_to_console, final_message]
CFG
# the test-host fw_cfg key unit has nothing to do on a cloud guest (cloud-init installs the key)
rm -f "$root/etc/systemd/system/sysinit.target.wants/testhosts-guest-key.service"
: > "$root/etc/machine-id"
rm -rf "$root/var/lib/cloud" "$root/root/.ssh"
cp "$src/vmlinuz" "$out/vmlinuz"
cp "$src/initrd.img" "$out/initrd.img"
mke2fs -q -t ext4 -L testroot -E root_owner=0:0 -d "$root" -F "$out/root.img" 3G
qemu-img convert -O qcow2 "$out/root.img" "$out/root.qcow2"
rm -rf "$root" "$out/root.img"
