# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Loop-device volume driver for the booting dev cloud (one node; test clouds only).

Every in-tree Cinder backend that gives a guest a real disk needs a kernel feature the CI kernel lacks:
LVM needs device-mapper, NFS needs the kernel NFS client (and nfsd for a local export), iSCSI/NVMe-oF need
their initiators, RBD needs a Ceph cluster. Loop devices exist. A volume here is a sparse file under
``loop_volume_dir``; attaching it binds the file to a free loop device and hands Nova the device as a
``local`` connection, which Nova's libvirt driver gives the guest as a virtio disk. What the guest writes
(and a wipe overwrites) lands in that file, so a wipe can be verified from inside the guest and from here.
Compute and volume service must run on the same host: there is no transport.
"""
from __future__ import annotations

import os

from oslo_concurrency import processutils
from oslo_config import cfg
from oslo_log import log as logging

from cinder import exception
from cinder.volume import driver

LOG = logging.getLogger(__name__)
GIB = 1024 ** 3

loop_opts = [
    cfg.StrOpt("loop_volume_dir", default="$state_path/loop-volumes",
               help="Directory holding one sparse file per volume."),
]
cfg.CONF.register_opts(loop_opts, group="backend_defaults")


class LoopVolumeDriver(driver.VolumeDriver):
    """Sparse files attached through loop devices (``local`` connections)."""

    VERSION = "1.0.0"
    CI_WIKI_NAME = "none"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(loop_opts)
        self._dir = self.configuration.loop_volume_dir

    @staticmethod
    def get_driver_options():
        return loop_opts

    def _path(self, volume):
        return os.path.join(self._dir, f"volume-{volume.id}")

    @staticmethod
    def _losetup(*args):
        out, _err = processutils.execute("losetup", *args)
        return out

    def _loops(self, path):
        """Loop devices currently bound to PATH (``losetup -j`` lists them as '/dev/loopN: ...')."""
        return [line.split(":", 1)[0] for line in self._losetup("-j", path).splitlines() if line.strip()]

    def do_setup(self, context):
        os.makedirs(self._dir, exist_ok=True)

    def check_for_setup_error(self):
        try:
            self._losetup("--version")
        except (OSError, processutils.ProcessExecutionError) as exc:
            raise exception.VolumeBackendAPIException(data=f"losetup is not usable: {exc}") from exc
        if not os.path.exists("/dev/loop-control"):
            raise exception.VolumeBackendAPIException(data="/dev/loop-control is missing: no loop device support")

    def create_volume(self, volume):
        with open(self._path(volume), "xb") as fh:
            fh.truncate(volume.size * GIB)

    def extend_volume(self, volume, new_size):
        with open(self._path(volume), "r+b") as fh:
            fh.truncate(new_size * GIB)

    def delete_volume(self, volume):
        path = self._path(volume)
        if not os.path.exists(path):
            LOG.warning("volume %s: backing file %s already gone", volume.id, path)
            return
        for dev in self._loops(path):
            self._losetup("-d", dev)
        os.remove(path)

    def create_export(self, context, volume, connector):
        return None

    def ensure_export(self, context, volume):
        return None

    def remove_export(self, context, volume):
        return None

    def initialize_connection(self, volume, connector):
        path = self._path(volume)
        loops = self._loops(path)
        dev = loops[0] if loops else self._losetup("--find", "--show", "--direct-io=on", path).strip()
        return {"driver_volume_type": "local", "data": {"device_path": dev}}

    def terminate_connection(self, volume, connector, **kwargs):
        for dev in self._loops(self._path(volume)):
            self._losetup("-d", dev)

    def _update_volume_stats(self):
        st = os.statvfs(self._dir)
        self._stats = {
            "volume_backend_name": self.configuration.safe_get("volume_backend_name") or "loop",
            "vendor_name": "govcloud.lifecycle devcloud",
            "driver_version": self.VERSION,
            "storage_protocol": "local",
            "total_capacity_gb": st.f_blocks * st.f_frsize // GIB,
            "free_capacity_gb": st.f_bavail * st.f_frsize // GIB,
            "reserved_percentage": 0,
            "thin_provisioning_support": True,
            "max_over_subscription_ratio": 20.0,
        }

    def get_volume_stats(self, refresh=False):
        if refresh or not self._stats:
            self._update_volume_stats()
        return self._stats
