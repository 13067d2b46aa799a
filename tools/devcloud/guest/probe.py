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
BASTION_ADDR = "172.24.4.250"
BASTION_NS = "gvcboot-probe-bastion"


def ssh(key, known_hosts, addr, cmd, timeout=10):
    return subprocess.run(
        ["ssh", "-i", key, "-o", f"UserKnownHostsFile={known_hosts}", "-o", "StrictHostKeyChecking=yes",
         "-o", "BatchMode=yes", "-o", f"ConnectTimeout={timeout}", "-o", "IdentitiesOnly=yes", f"root@{addr}", cmd],
        capture_output=True, text=True, timeout=timeout + 30, check=False)


def start_bastion(work, client_pub):
    """A bastion host (堡垒机) stand-in on the external network: an OVS internal port of br-ex moved into a
    namespace of its own, with an sshd that admits the probe's key. Returns (sshd Popen, its host key line)."""
    subprocess.run(["ovs-vsctl", "--may-exist", "add-port", "br-ex", "bastion0", "--", "set", "interface",
                    "bastion0", "type=internal"], check=True)
    subprocess.run(["ip", "netns", "add", BASTION_NS], check=True)
    sh = lambda *c: subprocess.run(["ip", "netns", "exec", BASTION_NS, *c], check=True)  # noqa: E731
    subprocess.run(["ip", "link", "set", "bastion0", "netns", BASTION_NS], check=True)
    sh("ip", "link", "set", "lo", "up")
    sh("ip", "addr", "add", BASTION_ADDR + "/24", "dev", "bastion0")
    sh("ip", "link", "set", "bastion0", "up")
    hostkey = os.path.join(work, "bastion_host_key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey], check=True)
    auth = os.path.join(work, "authorized_keys")
    with open(client_pub, encoding="utf-8") as src, open(auth, "w", encoding="utf-8") as dst:
        dst.write(src.read())
    os.makedirs("/run/sshd", exist_ok=True)
    proc = subprocess.Popen(["ip", "netns", "exec", BASTION_NS, "/usr/sbin/sshd", "-D", "-e", "-f", "/dev/null",
                             "-o", f"ListenAddress={BASTION_ADDR}", "-o", f"HostKey={hostkey}",
                             "-o", f"AuthorizedKeysFile={auth}", "-o", "StrictModes=no", "-o", "UsePAM=no",
                             "-o", "PermitRootLogin=prohibit-password", "-o", "PidFile=none",
                             "-o", "AllowTcpForwarding=yes"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "sshd.log"), "w"))
    with open(hostkey + ".pub", encoding="utf-8") as fh:
        key = " ".join(fh.read().split()[:2])
    return proc, key


def stop_bastion(proc):
    if proc is not None:
        proc.terminate()
        proc.wait(10)
    subprocess.run(["ip", "netns", "del", BASTION_NS], check=False, capture_output=True)
    subprocess.run(["ovs-vsctl", "--if-exists", "del-port", "br-ex", "bastion0"], check=False)


def via_bastion(key, known, addr, cmd, timeout=20):
    """What the trial inventory does (plugins/module_utils/_trial.py bastion_connection): ProxyCommand, both
    hops checked against the same pinned file."""
    pin = ["-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known}"]
    hop = (f"ssh -W %h:%p -p 22 -o StrictHostKeyChecking=yes -o UserKnownHostsFile={known} -i {key} "
           f"-o IdentitiesOnly=yes -o BatchMode=yes root@{BASTION_ADDR}")
    return subprocess.run(["ssh", "-i", key, *pin, "-o", "BatchMode=yes", "-o", f"ConnectTimeout={timeout}",
                           "-o", "IdentitiesOnly=yes", "-o", f"ProxyCommand={hop}", f"root@{addr}", cmd],
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
    ap.add_argument("--prefix", default="probe-", help="name prefix of everything this probe makes (and cleans up)")
    ap.add_argument("--volume", action="store_true", help="attach a 1 GiB volume, write, zero and read it back")
    ap.add_argument("--bastion", action="store_true",
                    help="SSH admitted only from a bastion on the external network: direct refused, through it works")
    args = ap.parse_args()
    global PREFIX  # noqa: PLW0603 - one run, one prefix, read by leftovers()
    PREFIX = args.prefix
    conn = openstack.connect()
    m = {}
    work = tempfile.mkdtemp(prefix="devcloud-probe-")
    key = os.path.join(work, "id")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    made = leftovers(conn)
    cleanup(conn, made)
    made = []
    ok = False
    bastion = None
    try:
        if args.bastion:
            stop_bastion(None)
            bastion, bastion_key = start_bastion(work, key + ".pub")
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
                                                remote_ip_prefix=(BASTION_ADDR + "/32") if args.bastion
                                                else "172.24.4.0/24", ethertype="IPv4")
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
                if args.bastion:
                    with open(known, "a", encoding="utf-8") as fh:
                        fh.write(f"{BASTION_ADDR} {bastion_key}\n")
                get_id = "cat /var/lib/cloud/data/instance-id"
                r = via_bastion(key, known, addr, get_id, 8) if args.bastion else ssh(key, known, addr, get_id, 5)
                if r.returncode == 0:
                    break
            time.sleep(3)
        m["ssh_s"] = round(time.monotonic() - t0, 1)
        m["instance_id_in_guest"] = r.stdout.split()[-1] if r.stdout.split() else ""
        m["instance_id_matches"] = m["instance_id_in_guest"] == server.id
        checks = [m["instance_id_matches"]]
        if args.bastion:
            direct = ssh(key, known, addr, "true", timeout=8)
            m["direct_ssh_refused"] = direct.returncode != 0
            m["direct_ssh_error"] = direct.stderr.strip()[-120:]
            wrong = os.path.join(work, "known_hosts_wrong")
            with open(known, encoding="utf-8") as fh, open(wrong, "w", encoding="utf-8") as out:
                other = subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                                        os.path.join(work, "other")], check=True)
                del other
                with open(os.path.join(work, "other.pub"), encoding="utf-8") as o:
                    fake = " ".join(o.read().split()[:2])
                for line in fh:
                    out.write(f"{addr} {fake}\n" if line.startswith(addr + " ") else line)
            bad = via_bastion(key, wrong, addr, "true", 8)
            m["wrong_host_key_refused"] = bad.returncode != 0 and "key" in bad.stderr.lower()
            checks += [m["direct_ssh_refused"], m["wrong_host_key_refused"]]
        run = (lambda c: via_bastion(key, known, addr, c, 15)) if args.bastion else (lambda c: ssh(key, known, addr, c, 15))
        if args.volume:
            vol = conn.block_storage.create_volume(size=1, name=PREFIX + "vol"); made.append(("volume", vol))
            conn.block_storage.wait_for_status(vol, "available", wait=120)
            t1 = time.monotonic()
            conn.compute.create_volume_attachment(server, volume_id=vol.id)
            conn.block_storage.wait_for_status(vol, "in-use", wait=180)
            m["attach_s"] = round(time.monotonic() - t1, 1)
            dev = f"/dev/disk/by-id/virtio-{vol.id[:20]}"
            r = run(f"for i in $(seq 30); do [ -e {dev} ] && break; sleep 1; done; "
                    f"dd if=/dev/urandom of={dev} bs=1M count=4 oflag=direct status=none && "
                    f"cmp -s -n 4194304 {dev} /dev/zero && echo NOT-WRITTEN || echo written; "
                    f"dd if=/dev/zero of={dev} bs=1M oflag=direct status=none; "
                    f"cmp -s {dev} /dev/zero && echo zeros; blockdev --getsize64 {dev}")
            m["volume_in_guest"] = r.stdout.split()
            checks.append(r.stdout.split()[:2] == ["written", "zeros"])
        print(json.dumps(m))
        ok = all(checks)
        return 0 if ok else 1
    except Exception as exc:  # noqa: BLE001 - one line naming the failure
        servers = [obj.id for kind, obj in made if kind == "server"]
        print(f"probe: {type(exc).__name__}: {exc}; server(s): {servers or 'none made'}; "
              f"measured so far: {json.dumps(m)}", file=sys.stderr)
        return 1
    finally:
        if not (args.keep and ok):
            cleanup(conn, made)
            left = [f"{kind} {obj.id}" for kind, obj in leftovers(conn) if kind != "fip"]
            if not ok:
                print(f"probe: torn down {len(made)} resources ({', '.join(k for k, _ in made)}); "
                      f"left: {left or 'none'}", file=sys.stderr)
        if args.bastion:
            stop_bastion(bastion)


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
