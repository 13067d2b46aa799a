# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Boot one guest on the booting dev cloud and measure it (run inside its namespace:
`devcloud --boot exec python3 tools/devcloud/guest/probe.py`).

network + subnet (DHCP) + router (SNAT to "public") + security group (SSH from one CIDR) + keypair + server
with config drive + a volume attached + floating IP; then: seconds to ACTIVE, to SSH, the instance id read
inside the guest from the config drive, the volume's device seen by the guest; everything deleted after.
Prints one JSON line of measurements. Exit 1 (naming what failed) if any step fails or the deadline passes.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import openstack

PREFIX = "probe-"


def ssh(key, known_hosts, addr, cmd, timeout=10):
    return subprocess.run(
        ["ssh", "-i", key, "-o", f"UserKnownHostsFile={known_hosts}", "-o", "StrictHostKeyChecking=yes",
         "-o", "BatchMode=yes", "-o", f"ConnectTimeout={timeout}", "-o", "IdentitiesOnly=yes", f"root@{addr}", cmd],
        capture_output=True, text=True, timeout=timeout + 30, check=False)


def host_keys_from_console(conn, server):
    """cloud-init prints the guest's new host keys between these markers on the serial console."""
    out = conn.compute.get_server_console_output(server)["output"]
    if "-----BEGIN SSH HOST KEY KEYS-----" not in out:
        return []
    block = out.split("-----BEGIN SSH HOST KEY KEYS-----", 1)[1].split("-----END SSH HOST KEY KEYS-----", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip().startswith(("ssh-", "ecdsa-"))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deadline", type=int, default=600, help="seconds from create to SSH")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--volume", action="store_true", help="attach a 1 GiB volume")
    args = ap.parse_args()
    conn = openstack.connect()
    m = {}
    work = tempfile.mkdtemp(prefix="devcloud-probe-")
    key = os.path.join(work, "id")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    made = leftovers(conn)
    cleanup(conn, made)
    made = []
    ok = False
    try:
        public = conn.network.find_network("public", ignore_missing=False)
        net = conn.network.create_network(name=PREFIX + "net"); made.append(("network", net))
        subnet = conn.network.create_subnet(network_id=net.id, name=PREFIX + "subnet", cidr="10.20.0.0/24",
                                            ip_version=4, is_dhcp_enabled=True)
        router = conn.network.create_router(name=PREFIX + "router", external_gateway_info={"network_id": public.id})
        made.append(("router", router))
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
        sg = conn.network.create_security_group(name=PREFIX + "sg"); made.append(("sg", sg))
        conn.network.create_security_group_rule(security_group_id=sg.id, direction="ingress", protocol="tcp",
                                                port_range_min=22, port_range_max=22,
                                                remote_ip_prefix="172.24.4.0/24", ethertype="IPv4")
        with open(key + ".pub", encoding="utf-8") as fh:
            kp = conn.compute.create_keypair(name=PREFIX + "key", public_key=fh.read())
        made.append(("keypair", kp))
        image = conn.image.find_image("devcloud-debian-12", ignore_missing=False)
        flavor = conn.compute.find_flavor("g1.guest", ignore_missing=False)
        t0 = time.monotonic()
        server = conn.compute.create_server(name=PREFIX + "server", image_id=image.id, flavor_id=flavor.id,
                                            networks=[{"uuid": net.id}], key_name=kp.name,
                                            security_groups=[{"name": sg.name}])
        made.append(("server", server))
        server = conn.compute.wait_for_server(server, wait=args.deadline)
        m["active_s"] = round(time.monotonic() - t0, 1)
        port = next(conn.network.ports(device_id=server.id))
        fip = conn.network.create_ip(floating_network_id=public.id, port_id=port.id); made.append(("fip", fip))
        addr = fip.floating_ip_address
        m["fixed_ip"] = port.fixed_ips[0]["ip_address"]
        m["floating_ip"] = addr
        known = os.path.join(work, "known_hosts")
        while True:
            if time.monotonic() - t0 > args.deadline:
                raise RuntimeError(f"server {server.id} not reachable over SSH at {addr} within {args.deadline}s")
            keys = host_keys_from_console(conn, server)
            if keys:
                with open(known, "w", encoding="utf-8") as fh:
                    fh.writelines(f"{addr} {k}\n" for k in keys)
                r = ssh(key, known, addr, "cat /run/cloud-init/.instance-id 2>/dev/null || true; "
                        "cat /var/lib/cloud/data/instance-id", timeout=5)
                if r.returncode == 0:
                    break
            time.sleep(3)
        m["ssh_s"] = round(time.monotonic() - t0, 1)
        m["instance_id_in_guest"] = r.stdout.split()[-1] if r.stdout.split() else ""
        m["instance_id_matches"] = m["instance_id_in_guest"] == server.id
        if args.volume:
            vol = conn.block_storage.create_volume(size=1, name=PREFIX + "vol"); made.append(("volume", vol))
            conn.block_storage.wait_for_status(vol, "available", wait=120)
            t1 = time.monotonic()
            conn.compute.create_volume_attachment(server, volume_id=vol.id)
            conn.block_storage.wait_for_status(vol, "in-use", wait=180)
            m["attach_s"] = round(time.monotonic() - t1, 1)
            r = ssh(key, known, addr, f"ls -l /dev/disk/by-id/ | grep -i {vol.id[:20]} || lsblk", timeout=10)
            m["volume_in_guest"] = r.stdout.strip()
        print(json.dumps(m))
        ok = m["instance_id_matches"]
        return 0 if ok else 1
    except Exception as exc:  # noqa: BLE001 - one line naming the failure
        print(f"probe: {type(exc).__name__}: {exc}; measured so far: {json.dumps(m)}", file=sys.stderr)
        return 1
    finally:
        if not (args.keep and ok):
            cleanup(conn, made)


def leftovers(conn):
    """Resources of an earlier probe (killed, or run with --keep), in creation order."""
    found = [("network", n) for n in conn.network.networks(name=PREFIX + "net")]
    found += [("router", r) for r in conn.network.routers(name=PREFIX + "router")]
    found += [("sg", g) for g in conn.network.security_groups(name=PREFIX + "sg")]
    kp = conn.compute.find_keypair(PREFIX + "key", ignore_missing=True)
    found += [("keypair", kp)] if kp else []
    found += [("server", v) for v in conn.compute.servers(name=PREFIX + "server")]
    found += [("fip", f) for f in conn.network.ips() if f.description == "" and f.port_id is None]
    found += [("volume", v) for v in conn.block_storage.volumes(name=PREFIX + "vol")]
    return found


def cleanup(conn, made):
    for kind, obj in reversed(made):
        try:
            if kind == "server":
                conn.compute.delete_server(obj)
                conn.compute.wait_for_delete(obj, wait=120)
            elif kind == "fip":
                conn.network.delete_ip(obj)
            elif kind == "volume":
                conn.block_storage.delete_volume(obj)
            elif kind == "keypair":
                conn.compute.delete_keypair(obj)
            elif kind == "sg":
                conn.network.delete_security_group(obj)
            elif kind == "router":
                for p in conn.network.ports(device_id=obj.id, device_owner="network:router_interface"):
                    conn.network.remove_interface_from_router(obj, port_id=p.id)
                conn.network.delete_router(obj)
            elif kind == "network":
                conn.network.delete_network(obj)
        except Exception as exc:  # noqa: BLE001 - report and continue deleting
            print(f"probe: cleanup of {kind} {obj.id}: {exc}", file=sys.stderr)

if __name__ == "__main__":
    sys.exit(main())
