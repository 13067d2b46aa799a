# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A bastion host (堡垒机) stand-in in an application's management zone on the booting dev cloud, that outlives
this command (run inside the cloud's namespace: `devcloud --boot exec python3 tools/devcloud/guest/bastion.py`).

  bastion.py up --project P --network N --address A --pubkey F --work DIR --known-hosts K
  bastion.py down --work DIR
  bastion.py pin --server ID --address A --known-hosts K [--deadline S]

up: a port of project P on network N with the fixed address A (so the manifest's bastion_cidrs can name it),
a security group of P admitting SSH only from the controller (the external network's br-ex address), a floating
IP of P on the port; the port plugged as in guest/probe.py (an OVS internal port the OVS agent wires like a
guest's tap, in a namespace of its own) with an sshd that admits the key F as root. Its host key is added to
the known_hosts file K under the floating IP (pinned from where it was made, not from a first connection).
Everything in the cloud belongs to P, so decommissioning P deletes it (and counts it if it is left). Prints
one JSON line: host (floating IP), fixed, port_id, host_key. A second `up` with the sshd running changes
nothing and prints the same.
pin: waits (up to --deadline s) for the server's console to show the host keys cloud-init printed and pins them
in K under address A (read through the authenticated API: the trusted channel docs/bastion.md names); exit 1
naming the server when the deadline passes. Prints one JSON line: server, address, keys, changed.
down: stops the sshd, deletes the namespace and the OVS port; with --cloud, also the port, floating IP and
security group if they still exist (a run that stopped before decommission).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

import openstack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probe  # noqa: E402 - the port plugging and sshd are guest/probe.py's, one place

CONTROLLER = probe.CONTROLLER_ADDR + "/32"
IFPREFIX = "bgv"


def state_path(work):
    return os.path.join(work, "bastion.json")


def alive(work):
    try:
        with open(os.path.join(work, "sshd.pid"), encoding="utf-8") as fh:
            pid = int(fh.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def namespace(name):
    return ("gvcboot-" + name)[:40]


def up(conn, args):
    os.makedirs(args.work, exist_ok=True)
    if alive(args.work) and os.path.exists(state_path(args.work)):
        with open(state_path(args.work), encoding="utf-8") as fh:
            print(fh.read().strip())
        return 0
    down(conn, argparse.Namespace(work=args.work, cloud=True, project=args.project, name=args.name))
    project = conn.identity.find_project(args.project, ignore_missing=False)
    net = conn.network.find_network(args.network, project_id=project.id, ignore_missing=False)
    subnet = next(conn.network.subnets(network_id=net.id))
    sg = conn.network.create_security_group(name=args.name, project_id=project.id,
                                            description="bastion (堡垒机) stand-in: SSH from the controller only")
    conn.network.create_security_group_rule(security_group_id=sg.id, direction="ingress", protocol="tcp",
                                            port_range_min=22, port_range_max=22, ethertype="IPv4",
                                            remote_ip_prefix=CONTROLLER, project_id=project.id)
    made = []
    _proc, ifname, key, port = probe.start_bastion(
        conn, args.work, args.pubkey, net, subnet, sg, made, ns=namespace(args.name), name=args.name,
        project_id=project.id, fixed_ip=args.address, daemon=True, ifprefix=IFPREFIX)
    public = conn.network.find_network("public", ignore_missing=False)
    fip = conn.network.create_ip(floating_network_id=public.id, port_id=port.id, project_id=project.id,
                                 description=args.name)
    host = fip.floating_ip_address
    try:  # a floating IP handed out again: the old key pinned for it goes
        with open(args.known_hosts, encoding="utf-8") as fh:
            lines = [line for line in fh if not line.startswith(host + " ")]
    except FileNotFoundError:
        lines = []
    with open(args.known_hosts, "w", encoding="utf-8") as fh:
        fh.writelines(lines + [f"{host} {key}\n"])
    out = {"host": host, "fixed": port.fixed_ips[0]["ip_address"], "port_id": port.id, "host_key": key,
           "ifname": ifname, "namespace": namespace(args.name), "project": project.id, "name": args.name}
    with open(state_path(args.work), "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    print(json.dumps(out))
    return 0


def down(conn, args):
    try:
        with open(state_path(args.work), encoding="utf-8") as fh:
            st = json.load(fh)
    except (OSError, ValueError):
        st = {"project": getattr(args, "project", None), "name": getattr(args, "name", None)}
    pid = alive(args.work)
    if pid:
        os.kill(pid, signal.SIGTERM)
    if st.get("name"):
        probe.stop_bastion(ns=namespace(st["name"]), ifname=st.get("ifname") or "-")
    if args.cloud and st.get("name") and st.get("project"):
        project = conn.identity.find_project(st["project"])
        if project is not None:
            for port in conn.network.ports(name=st["name"], project_id=project.id):
                for fip in conn.network.ips(port_id=port.id):
                    conn.network.delete_ip(fip)
                conn.network.delete_port(port)
            for sg in conn.network.security_groups(name=st["name"], project_id=project.id):
                conn.network.delete_security_group(sg)
    for f in ("sshd.pid", "bastion.json"):
        try:
            os.unlink(os.path.join(args.work, f))
        except FileNotFoundError:
            pass
    return 0


def pin(conn, args):
    t0 = time.monotonic()
    server = conn.compute.get_server(args.server)
    while True:
        keys = probe.host_keys_from_console(conn, server)
        if keys:
            break
        if time.monotonic() - t0 > args.deadline:
            print(f"bastion.py pin: server {server.id} ({server.name}) printed no host keys on its console within "
                  f"{args.deadline}s (status {conn.compute.get_server(server.id).status})", file=sys.stderr)
            return 1
        time.sleep(5)
    try:
        with open(args.known_hosts, encoding="utf-8") as fh:
            before = fh.readlines()
    except FileNotFoundError:
        before = []
    after = [line for line in before if not line.startswith(args.address + " ")]
    after += [f"{args.address} {k}\n" for k in keys]
    changed = after != before
    if changed:
        with open(args.known_hosts, "w", encoding="utf-8") as fh:
            fh.writelines(after)
    print(json.dumps({"server": server.id, "address": args.address, "keys": keys, "changed": changed,
                      "waited_s": round(time.monotonic() - t0, 1)}))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("up")
    u.add_argument("--project", required=True)
    u.add_argument("--network", required=True)
    u.add_argument("--address", required=True, help="the bastion's fixed address in the management subnet")
    u.add_argument("--pubkey", required=True, help="public key admitted as root")
    u.add_argument("--known-hosts", required=True, help="file the bastion's host key is pinned in")
    u.add_argument("--name", default="bastion")
    u.add_argument("--work", required=True)
    d = sub.add_parser("down")
    d.add_argument("--work", required=True)
    d.add_argument("--cloud", action="store_true", help="also delete its port, floating IP and security group")
    p = sub.add_parser("pin")
    p.add_argument("--server", required=True)
    p.add_argument("--address", required=True)
    p.add_argument("--known-hosts", required=True)
    p.add_argument("--deadline", type=int, default=600)
    args = ap.parse_args()
    conn = openstack.connect()
    return {"up": up, "down": down, "pin": pin}[args.cmd](conn, args)


if __name__ == "__main__":
    sys.exit(main())
