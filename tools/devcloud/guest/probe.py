# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Boot one guest on the booting dev cloud and measure it (run inside its namespace:
`devcloud --boot exec python3 tools/devcloud/guest/probe.py`).

network + subnet (DHCP) + router (SNAT to "public") + security group (SSH from one CIDR) + keypair + server
with config drive + floating IP; then: seconds to ACTIVE, to SSH, the instance id read inside the guest
from the config drive, its host key pinned from the console (a wrong pin refused), the peak RSS of its QEMU;
optionally a volume written and zeroed from inside the guest, or the bastion path (--bastion). Everything
deleted after. Prints one JSON line of measurements. Exit 1 (naming what failed) if any step or check fails
or the deadline passes.

--bastion: the guest sits in a service zone whose security group admits SSH only from the management
zone's subnet (bastion_cidrs); a bastion host (堡垒机) stand-in sits in the management zone on a Neutron port
of its own (an OVS internal port in a namespace, wired by the OVS agent like a guest's tap, so the same
security groups and router apply), reached from the controller by its floating IP. Checked: SSH through the
bastion to the guest's fixed address works; direct SSH to the guest's floating IP is refused; the same direct
SSH works once a rule for the controller's address is added (so the security group, not the path, refused).
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
import openstack.exceptions

PREFIX = "probe-"
BASTION_NS = "gvcboot-probe-bastion"
SERVICE_CIDR = "10.20.0.0/24"
MGMT_CIDR = "10.21.0.0/24"  # the management zone: the only source the service zone admits SSH from
OPERATORS_CIDR = "172.24.4.0/24"  # the external network, where the controller (br-ex 172.24.4.1) is
CONTROLLER_ADDR = "172.24.4.1"


def ssh(key, known_hosts, addr, cmd, timeout=10, bastion=None):
    """One SSH command, host keys checked against known_hosts. With bastion (address), through it as the trial
    inventory connects (plugins/module_utils/_trial.py bastion_connection): a ProxyCommand hop, both hops
    checked against the same pinned file."""
    pin = ["-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}"]
    hop = []
    if bastion:
        hop = ["-o", f"ProxyCommand=ssh -W %h:%p -p 22 -o StrictHostKeyChecking=yes "
                     f"-o UserKnownHostsFile={known_hosts} -i {key} -o IdentitiesOnly=yes -o BatchMode=yes "
                     f"-o ConnectTimeout={timeout} root@{bastion}"]
    return subprocess.run(["ssh", "-i", key, *pin, *hop, "-o", "BatchMode=yes", "-o", f"ConnectTimeout={timeout}",
                           "-o", "IdentitiesOnly=yes", f"root@{addr}", cmd],
                          capture_output=True, text=True, timeout=2 * timeout + 30, check=False)


def ovs_agent_host(conn):
    agents = [a for a in conn.network.agents() if a.agent_type == "Open vSwitch agent"]
    if not agents:
        raise RuntimeError("no Open vSwitch agent registered: the bastion's port cannot be bound")
    return agents[0].host


def start_bastion(conn, work, client_pub, net, subnet, sg, made, ns=None, name=None, project_id=None,
                  fixed_ip=None, daemon=False, ifprefix="bst"):
    """The bastion stand-in: a Neutron port on the management network bound to this host, plugged as an OVS
    internal port (the OVS agent wires it by external_ids:iface-id, as it wires a guest's tap), moved into a
    namespace of its own with the port's MAC and address, running an sshd that admits the probe's key.
    Returns (sshd Popen, or None with daemon (its pid in work/sshd.pid), interface name, its host key line,
    the port). ns, name, project_id, fixed_ip, ifprefix: for a bastion that outlives this process
    (guest/bastion.py; its own interface prefix, so a probe's start-up sweep of bst* leaves it alone)."""
    ns = ns or BASTION_NS
    extra = {"project_id": project_id} if project_id else {}
    if fixed_ip:
        extra["fixed_ips"] = [{"subnet_id": subnet.id, "ip_address": fixed_ip}]
    port = conn.network.create_port(network_id=net.id, name=name or PREFIX + "bastion",
                                    device_owner="govcloud:bastion", binding_host_id=ovs_agent_host(conn),
                                    security_group_ids=[sg.id], **extra)
    made.append(("port", port))
    ifname = ifprefix + port.id[:11]
    ip = port.fixed_ips[0]["ip_address"]
    subprocess.run(["ovs-vsctl", "--may-exist", "add-port", "br-int", ifname, "--", "set", "interface", ifname,
                    "type=internal", f"external_ids:iface-id={port.id}", "external_ids:iface-status=active",
                    f"external_ids:attached-mac={port.mac_address}"], check=True)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    sh = lambda *c: subprocess.run(["ip", "netns", "exec", ns, *c], check=True)  # noqa: E731
    subprocess.run(["ip", "link", "set", ifname, "netns", ns], check=True)
    sh("ip", "link", "set", "lo", "up")
    sh("ip", "link", "set", ifname, "address", port.mac_address)
    sh("ip", "addr", "add", f"{ip}/{subnet.cidr.split('/')[1]}", "dev", ifname)
    sh("ip", "link", "set", ifname, "up")
    sh("ip", "route", "add", "default", "via", subnet.gateway_ip)
    hostkey = os.path.join(work, "bastion_host_key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey], check=True)
    auth = os.path.join(work, "authorized_keys")
    with open(client_pub, encoding="utf-8") as src, open(auth, "w", encoding="utf-8") as dst:
        dst.write(src.read())
    os.makedirs("/run/sshd", exist_ok=True)
    sshd = ["ip", "netns", "exec", ns, "/usr/sbin/sshd", "-e", "-f", "/dev/null",
            "-o", f"ListenAddress={ip}", "-o", f"HostKey={hostkey}",
            "-o", f"AuthorizedKeysFile={auth}", "-o", "StrictModes=no", "-o", "UsePAM=no",
            "-o", "PermitRootLogin=prohibit-password", "-o", "AllowTcpForwarding=yes"]
    log = open(os.path.join(work, "sshd.log"), "w")  # noqa: SIM115 - sshd writes it for its whole life
    if daemon:  # sshd forks into the background and writes its pid; `ip netns exec` returns
        subprocess.run([*sshd, "-o", f"PidFile={os.path.join(work, 'sshd.pid')}"], check=True, stderr=log)
        proc = None
    else:
        proc = subprocess.Popen([*sshd, "-D", "-o", "PidFile=none"], stdout=subprocess.DEVNULL, stderr=log)
    with open(hostkey + ".pub", encoding="utf-8") as fh:
        key = " ".join(fh.read().split()[:2])
    for _ in range(60):  # the agent binds the port and writes its VLAN tag and firewall flows
        if conn.network.get_port(port.id).status == "ACTIVE":
            break
        time.sleep(1)
    else:
        raise RuntimeError(f"the bastion's port {port.id} on {ifname} did not go ACTIVE within 60 s")
    return proc, ifname, key, port


def stop_bastion(proc=None, ns=None, ifname=None):
    """Stop the sshd (proc), delete the namespace and the OVS port(s): ifname, or every bastion port (bst*)."""
    if proc is not None:
        proc.terminate()
        proc.wait(10)
    subprocess.run(["ip", "netns", "del", ns or BASTION_NS], check=False, capture_output=True)
    ports = subprocess.run(["ovs-vsctl", "list-ports", "br-int"], capture_output=True, text=True, check=False).stdout
    for name in ports.split():
        if name == ifname or (ifname is None and name.startswith("bst")):
            subprocess.run(["ovs-vsctl", "--if-exists", "del-port", "br-int", name], check=False)


def host_keys_from_console(conn, server):
    """cloud-init prints the guest's new host keys between these markers on the serial console."""
    out = conn.compute.get_server_console_output(server)["output"]
    if "-----BEGIN SSH HOST KEY KEYS-----" not in out:
        return []
    block = out.split("-----BEGIN SSH HOST KEY KEYS-----", 1)[1].split("-----END SSH HOST KEY KEYS-----", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip().startswith(("ssh-", "ecdsa-"))]


def qemu_peak_rss_mib(instance_name):
    """Peak resident memory (VmHWM) of the QEMU process libvirt runs for the guest; None if not found."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if f"guest={instance_name},".encode() not in fh.read():
                    continue
            with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return round(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return None


def wrong_pin(known, addr, work):
    """A copy of the pinned file whose lines for addr carry another key."""
    other = os.path.join(work, "other")
    if not os.path.exists(other):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other], check=True)
    with open(other + ".pub", encoding="utf-8") as o:
        fake = " ".join(o.read().split()[:2])
    wrong = os.path.join(work, "known_hosts_wrong")
    with open(known, encoding="utf-8") as fh, open(wrong, "w", encoding="utf-8") as out:
        for line in fh:
            out.write(f"{addr} {fake}\n" if line.startswith(addr + " ") else line)
    return wrong


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deadline", type=int, default=600, help="seconds from create to SSH")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--prefix", default="probe-", help="name prefix of everything this probe makes (and cleans up)")
    ap.add_argument("--volume", action="store_true", help="attach a 1 GiB volume, write, zero and read it back")
    ap.add_argument("--bastion", action="store_true",
                    help="SSH admitted only from a bastion in the management zone: direct refused, through it works")
    args = ap.parse_args()
    global PREFIX  # noqa: PLW0603 - one run, one prefix, read by leftovers()
    PREFIX = args.prefix
    conn = openstack.connect()
    m = {}
    work = tempfile.mkdtemp(prefix="devcloud-probe-")
    key = os.path.join(work, "id")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    stop_bastion()
    cleanup(conn, leftovers(conn))
    made = []
    ok = False
    bastion = None
    try:
        public = conn.network.find_network("public", ignore_missing=False)
        net = conn.network.create_network(name=PREFIX + "net"); made.append(("network", net))
        subnet = conn.network.create_subnet(network_id=net.id, name=PREFIX + "subnet", cidr=SERVICE_CIDR,
                                            ip_version=4, is_dhcp_enabled=True)
        if args.bastion:  # before the router: deleted after it
            mnet = conn.network.create_network(name=PREFIX + "mgmt-net"); made.append(("network", mnet))
            msub = conn.network.create_subnet(network_id=mnet.id, name=PREFIX + "mgmt-subnet", cidr=MGMT_CIDR,
                                              ip_version=4, is_dhcp_enabled=True)
        router = conn.network.create_router(name=PREFIX + "router", external_gateway_info={"network_id": public.id})
        made.append(("router", router))
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
        sg = conn.network.create_security_group(name=PREFIX + "sg"); made.append(("sg", sg))
        conn.network.create_security_group_rule(security_group_id=sg.id, direction="ingress", protocol="tcp",
                                                port_range_min=22, port_range_max=22, ethertype="IPv4",
                                                remote_ip_prefix=MGMT_CIDR if args.bastion else OPERATORS_CIDR)
        if args.bastion:
            conn.network.add_interface_to_router(router, subnet_id=msub.id)
            bsg = conn.network.create_security_group(name=PREFIX + "bastion-sg"); made.append(("sg", bsg))
            conn.network.create_security_group_rule(security_group_id=bsg.id, direction="ingress", protocol="tcp",
                                                    port_range_min=22, port_range_max=22, ethertype="IPv4",
                                                    remote_ip_prefix=OPERATORS_CIDR)
            bastion, _ifname, bastion_key, bport = start_bastion(conn, work, key + ".pub", mnet, msub, bsg, made)
            bfip = conn.network.create_ip(floating_network_id=public.id, port_id=bport.id, description=PREFIX + "fip"); made.append(("fip", bfip))
            m["bastion_fixed_ip"] = bport.fixed_ips[0]["ip_address"]
            m["bastion_floating_ip"] = bfip.floating_ip_address
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
        try:
            server = conn.compute.wait_for_server(server, wait=args.deadline)
        except openstack.exceptions.ResourceTimeout:
            status = conn.compute.get_server(server.id).status
            raise RuntimeError(f"server {server.id} not ACTIVE within {args.deadline}s (status {status})") from None
        m["server_id"] = server.id
        m["active_s"] = round(time.monotonic() - t0, 1)
        port = next(conn.network.ports(device_id=server.id))
        fip = conn.network.create_ip(floating_network_id=public.id, port_id=port.id, description=PREFIX + "fip"); made.append(("fip", fip))
        addr = fip.floating_ip_address
        m["fixed_ip"] = port.fixed_ips[0]["ip_address"]
        m["floating_ip"] = addr
        # through the bastion, the guest is reached at its fixed address (the bastion is in the management zone)
        target = m["fixed_ip"] if args.bastion else addr
        via = m.get("bastion_floating_ip")
        known = os.path.join(work, "known_hosts")
        while True:
            if time.monotonic() - t0 > args.deadline:
                raise RuntimeError(f"server {server.id} not reachable over SSH at {target} within {args.deadline}s")
            keys = host_keys_from_console(conn, server)
            if keys:
                with open(known, "w", encoding="utf-8") as fh:
                    fh.writelines(f"{a} {k}\n" for a in {addr, target} for k in keys)
                    if via:
                        fh.write(f"{via} {bastion_key}\n")
                r = ssh(key, known, target, "cat /var/lib/cloud/data/instance-id", 8, bastion=via)
                if r.returncode == 0:
                    break
            time.sleep(3)
        m["ssh_s"] = round(time.monotonic() - t0, 1)
        m["host_keys_pinned_from_console"] = len(keys)
        m["instance_id_in_guest"] = r.stdout.split()[-1] if r.stdout.split() else ""
        m["instance_id_matches"] = m["instance_id_in_guest"] == server.id
        m["qemu_peak_rss_mib"] = qemu_peak_rss_mib(server.instance_name)
        checks = {"instance_id_matches": m["instance_id_matches"]}
        bad = ssh(key, wrong_pin(known, target, work), target, "true", 8, bastion=via)
        m["wrong_host_key_refused"] = bad.returncode != 0 and "host key verification failed" in bad.stderr.lower()
        checks["wrong_host_key_refused"] = m["wrong_host_key_refused"]
        if args.bastion:
            direct = ssh(key, known, addr, "true", timeout=8)
            m["direct_ssh_refused"] = direct.returncode != 0
            m["direct_ssh_error"] = direct.stderr.strip()[-120:]
            # the same direct SSH with a rule for the controller: it is the security group that refuses
            rule = conn.network.create_security_group_rule(
                security_group_id=sg.id, direction="ingress", protocol="tcp", port_range_min=22, port_range_max=22,
                ethertype="IPv4", remote_ip_prefix=CONTROLLER_ADDR + "/32")
            for _ in range(10):
                direct = ssh(key, known, addr, "true", timeout=5)
                if direct.returncode == 0:
                    break
                time.sleep(2)
            m["direct_ssh_with_controller_rule"] = direct.returncode == 0
            conn.network.delete_security_group_rule(rule)
            checks.update(direct_ssh_refused=m["direct_ssh_refused"],
                          direct_ssh_with_controller_rule=m["direct_ssh_with_controller_rule"])
        if args.volume:
            vol = conn.block_storage.create_volume(size=1, name=PREFIX + "vol"); made.append(("volume", vol))
            conn.block_storage.wait_for_status(vol, "available", wait=120)
            t1 = time.monotonic()
            conn.compute.create_volume_attachment(server, volume_id=vol.id)
            conn.block_storage.wait_for_status(vol, "in-use", wait=180)
            m["attach_s"] = round(time.monotonic() - t1, 1)
            dev = f"/dev/disk/by-id/virtio-{vol.id[:20]}"
            r = ssh(key, known, target,
                    f"for i in $(seq 30); do [ -e {dev} ] && break; sleep 1; done; "
                    f"dd if=/dev/urandom of={dev} bs=1M count=4 oflag=direct status=none && "
                    f"cmp -s -n 4194304 {dev} /dev/zero && echo NOT-WRITTEN || echo written; "
                    f"dd if=/dev/zero of={dev} bs=1M oflag=direct status=none; "
                    f"cmp -s {dev} /dev/zero && echo zeros; blockdev --getsize64 {dev}", 15, bastion=via)
            m["volume_in_guest"] = r.stdout.split()
            checks["volume_written_and_zeroed"] = r.stdout.split()[:2] == ["written", "zeros"]
        m["failed_checks"] = [name for name, passed in checks.items() if not passed]
        ok = not m["failed_checks"]
        return 0 if ok else 1
    except Exception as exc:  # noqa: BLE001 - one line naming the failure
        servers = [obj.id for kind, obj in made if kind == "server"]
        print(f"probe: {type(exc).__name__}: {exc}; server(s): {servers or 'none made'}; "
              f"measured so far: {json.dumps(m)}", file=sys.stderr)
        return 1
    finally:
        if not (args.keep and ok):
            if args.bastion:
                stop_bastion(bastion)
            cleanup(conn, made)
            m["left"] = [f"{kind} {obj.id}" for kind, obj in leftovers(conn)]
            print(f"probe: torn down {len(made)} resources ({', '.join(k for k, _ in made)}); "
                  f"left: {m['left'] or 'none'}", file=sys.stderr)
        if "failed_checks" in m:
            print(json.dumps(m), flush=True)


def leftovers(conn):
    """Resources of an earlier probe with this prefix (killed, or run with --keep), in creation order."""
    found = [("network", n) for n in conn.network.networks() if n.name.startswith(PREFIX)]
    found += [("router", r) for r in conn.network.routers(name=PREFIX + "router")]
    found += [("sg", g) for g in conn.network.security_groups() if g.name.startswith(PREFIX)]
    found += [("port", p) for p in conn.network.ports(name=PREFIX + "bastion")]
    kp = conn.compute.find_keypair(PREFIX + "key", ignore_missing=True)
    found += [("keypair", kp)] if kp else []
    found += [("server", v) for v in conn.compute.servers(name=PREFIX + "server")]
    found += [("fip", f) for f in conn.network.ips() if f.description == PREFIX + "fip"]
    found += [("volume", v) for v in conn.block_storage.volumes(name=PREFIX + "vol")]
    return found


def cleanup(conn, made):
    # volumes last: an attached one cannot be deleted until its server is gone
    order = [x for x in reversed(made) if x[0] != "volume"] + [x for x in made if x[0] == "volume"]
    for kind, obj in order:
        try:
            if kind == "server":
                conn.compute.delete_server(obj)
                conn.compute.wait_for_delete(obj, wait=120)
            elif kind == "fip":
                conn.network.delete_ip(obj)
            elif kind == "port":
                for f in conn.network.ips(port_id=obj.id):
                    conn.network.delete_ip(f)
                conn.network.delete_port(obj)
            elif kind == "volume":
                conn.block_storage.wait_for_status(conn.block_storage.get_volume(obj.id), "available",
                                                   failures=["error"], wait=120)
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
                for p in conn.network.ports(network_id=obj.id):  # a killed run's server ports, dhcp ports go with it
                    if p.device_owner.startswith(("compute:", "govcloud:")):
                        conn.network.delete_port(p)
                conn.network.delete_network(obj)
        except Exception as exc:  # noqa: BLE001 - report and continue deleting
            print(f"probe: cleanup of {kind} {obj.id}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
