# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Admin-side steps of `devcloud up`/`status` that talk to the APIs, one process each (runs in the cloud's venv).

catalog   service project, users, roles, services and endpoints (find or create)
ready     wait until the fake compute host and cinder-volume are up, then ensure flavors and the tiny image
health    one line per API/service check; exit 1 if any fails
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone

import openstack

PASSWORD = "devcloud-secret"
URL = "http://127.0.0.1"
# (service user, service name, type, endpoint URL); cinderv3 shares the cinder user.
SERVICES = [
    ("placement", "placement", "placement", f"{URL}:8778"),
    ("nova", "nova", "compute", f"{URL}:8774/v2.1"),
    ("neutron", "neutron", "network", f"{URL}:9696"),
    ("glance", "glance", "image", f"{URL}:9292"),
    ("cinder", "cinder", "block-storage", f"{URL}:8776/v3"),
    ("cinder", "cinderv3", "volumev3", f"{URL}:8776/v3"),
]
FLAVORS = [("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20)]
# Booting cloud: a flavor a TCG guest of the project's image boots in, and that image (kernel, initrd, root).
GUEST_FLAVOR = ("g1.guest", 768, 1, 5)
GUEST_IMAGE = "devcloud-debian-12"
GUEST_CMDLINE = "root=LABEL=testroot rw console=ttyS0 panic=-1 quiet systemd.show_status=0"
AGENTS = ("Open vSwitch agent", "DHCP agent", "L3 agent")
COMPUTE_HOST = "devcloud"  # nova.conf and neutron.conf [DEFAULT] host
IMAGE = "devcloud-tiny"
PUBLIC_NET, PUBLIC_CIDR, PUBLIC_GATEWAY = "public", "172.24.4.0/24", "172.24.4.1"


def connect():
    # Explicit auth, no clouds.yaml/OS_* lookup: a user's OS_CLOUD must not redirect these admin steps.
    return openstack.connect(
        load_envvars=False, load_yaml_config=False, region_name="RegionOne",
        auth={"auth_url": f"{URL}:5000/v3", "username": "admin", "password": PASSWORD, "project_name": "admin",
              "user_domain_name": "Default", "project_domain_name": "Default"})


def catalog(conn, _args):
    idc = conn.identity
    project = idc.find_project("service", domain_id="default") or idc.create_project(name="service", domain_id="default")
    admin = idc.find_role("admin")
    roles = {r: idc.find_role(r) or idc.create_role(name=r) for r in ("service", "member", "reader")}
    for user_name, name, typ, url in SERVICES:
        user = idc.find_user(user_name, domain_id="default") or idc.create_user(
            name=user_name, password=PASSWORD, domain_id="default")
        for role in (admin, roles["service"]):
            if not idc.validate_user_has_project_role(project, user, role):
                idc.assign_project_role_to_user(project, user, role)
        svc = idc.find_service(name) or idc.create_service(name=name, type=typ)
        for iface in ("public", "internal", "admin"):
            if not list(idc.endpoints(service_id=svc.id, interface=iface)):
                idc.create_endpoint(service_id=svc.id, interface=iface, url=url, region_id="RegionOne")
    print("catalog ok")


def _service_states(conn):
    nova = {s.binary: s.state for s in conn.compute.services()}
    cinder = {s.binary: s.state for s in conn.block_storage.services()}
    hyper = [(h.name, h.state, h.status) for h in conn.compute.hypervisors()]
    return nova, cinder, hyper


def _updated(service):
    stamp = service.updated_at
    if not stamp:
        return 0.0
    return datetime.fromisoformat(stamp.rstrip("Z")).replace(tzinfo=timezone.utc).timestamp()


def ready(conn, args):
    deadline = time.monotonic() + args.timeout
    # A restarted service counts only once it has reported after its start: the old record stays "up"
    # for service_down_time (60 s) even when the new process has already died.
    since = dict(item.split("=", 1) for item in args.fresh)
    while True:
        try:
            services = list(conn.compute.services()) + list(conn.block_storage.services())
            nova = {s.binary: s.state for s in services if s.binary.startswith("nova-")}
            cinder = {}
            for svc in services:
                # one record per backend host (devcloud@fake, devcloud@loop): any live one will do
                if svc.binary.startswith("cinder-") and cinder.get(svc.binary) != "up":
                    cinder[svc.binary] = svc.state
            hyper = [(h.name, h.state, h.status) for h in conn.compute.hypervisors()]
            # a binary with several records (cinder-volume: one per backend host, and a record of a backend
            # that is no longer configured stays "down" for ever) is fresh once any of them has reported
            stale = sorted(b for b in since if b in {s.binary for s in services}
                           and not any(s.binary == b and _updated(s) >= float(since[b]) for s in services))
            want = {"nova-conductor", "nova-scheduler", "nova-compute"}
            agents = {}
            for agent in (conn.network.agents(host=COMPUTE_HOST) if args.boot else ()):
                agents[agent.agent_type] = agents.get(agent.agent_type) or agent.is_alive
            ok = (not stale
                  and all(agents.get(t) for t in (AGENTS if args.boot else ()))
                  and all(nova.get(b) == "up" for b in want)
                  and all(cinder.get(b) == "up" for b in ("cinder-scheduler", "cinder-volume"))
                  and any(state == "up" and status == "enabled" for _, state, status in hyper))
        except Exception as exc:  # noqa: BLE001 - APIs still starting: connection errors of any kind mean "retry"
            ok, nova, cinder, hyper, stale = False, {}, {}, [f"{type(exc).__name__}: {exc}"], []
        if ok:
            break
        if time.monotonic() > deadline:
            print(f"not ready after {args.timeout}s: nova={nova} cinder={cinder} hypervisors={hyper} "
                  f"not reported since restart: {stale}"
                  + (f" neutron agents alive: {agents}" if args.boot else ""), file=sys.stderr)
            return 1
        time.sleep(2)
    for name, ram, vcpus, disk in FLAVORS:
        if not conn.compute.find_flavor(name, ignore_missing=True):
            conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk, is_public=True)
    if not conn.image.find_image(IMAGE, ignore_missing=True):
        conn.create_image(IMAGE, data=b"\0" * 1024, disk_format="raw", container_format="bare",
                          visibility="public", wait=True)
    ensure_public_network(conn)
    if args.boot:
        ensure_guest_image(conn, args.boot)
    print("ready")
    return 0


def ensure_public_network(conn):
    """The provider network a router's external gateway attaches to, as a real cloud has one (devstack's
    name and range): applications that expose services to the internet get their gateway from it."""
    net = conn.network.find_network(PUBLIC_NET, ignore_missing=True)
    if net is None:
        net = conn.network.create_network(name=PUBLIC_NET, is_router_external=True, is_shared=False,
                                          provider_network_type="flat", provider_physical_network="public")
    if not list(conn.network.subnets(network_id=net.id)):
        conn.network.create_subnet(network_id=net.id, name=PUBLIC_NET + "-subnet", cidr=PUBLIC_CIDR,
                                   ip_version=4, is_dhcp_enabled=False, gateway_ip=PUBLIC_GATEWAY)


def ensure_guest_image(conn, guest_dir):
    """The project's Debian image as a three-part (AMI-style) cloud image: Nova boots the kernel and initrd
    directly and finds the root file system by its label, as the test-host VMs do."""
    name, ram, vcpus, disk = GUEST_FLAVOR
    if not conn.compute.find_flavor(name, ignore_missing=True):
        conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk, is_public=True)
    with open(f"{guest_dir}/manifest.json", encoding="utf-8") as fh:
        built = json.load(fh)["built"]
    current = conn.image.find_image(GUEST_IMAGE, ignore_missing=True)
    if current is not None and current.properties.get("devcloud_built") == built:
        return
    parts = {}
    for part, fmt, fname in (("kernel", "aki", "vmlinuz"), ("ramdisk", "ari", "initrd.img")):
        old = conn.image.find_image(f"{GUEST_IMAGE}-{part}", ignore_missing=True)
        if old is not None:
            conn.image.delete_image(old)
        parts[part] = conn.create_image(f"{GUEST_IMAGE}-{part}", filename=f"{guest_dir}/{fname}", disk_format=fmt,
                                        container_format=fmt, visibility="public", wait=True)
    if current is not None:
        conn.image.delete_image(current)
    conn.create_image(GUEST_IMAGE, filename=f"{guest_dir}/root.qcow2", disk_format="qcow2", container_format="bare",
                      visibility="public", wait=True,
                      meta={"kernel_id": parts["kernel"].id, "ramdisk_id": parts["ramdisk"].id,
                            "os_command_line": GUEST_CMDLINE, "devcloud_built": built,
                            "hw_disk_bus": "virtio", "hw_vif_model": "virtio"})


def health(conn, args):
    checks = []

    def check(name, fn):
        try:
            detail = fn()
            checks.append((name, True, detail))
        except Exception as exc:  # noqa: BLE001 - any failure is an unhealthy service, reported not raised
            checks.append((name, False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"))

    check("keystone", lambda: f"token for project {conn.current_project_id[:8]}..")
    nova, cinder, hyper = {}, {}, []

    def nova_services():
        nova.update({s.binary: s.state for s in conn.compute.services()})
        return ", ".join(f"{b}={s}" for b, s in sorted(nova.items()))

    def cinder_services():
        cinder.update({s.binary: s.state for s in conn.block_storage.services()})
        return ", ".join(f"{b}={s}" for b, s in sorted(cinder.items()))

    check("nova-api", nova_services)
    for binary in ("nova-conductor", "nova-scheduler", "nova-compute"):
        check(f"{binary} (service-list)", lambda b=binary: _require(nova.get(b) == "up", f"state {nova.get(b)}"))

    def hypervisor():
        hyper.extend((h.name, h.state, h.status) for h in conn.compute.hypervisors())
        return _require(any(s == "up" and st == "enabled" for _, s, st in hyper), str(hyper))

    check("hypervisor", hypervisor)
    check("cinder-api", cinder_services)
    for binary in ("cinder-scheduler", "cinder-volume"):
        check(f"{binary} (service-list)", lambda b=binary: _require(cinder.get(b) == "up", f"state {cinder.get(b)}"))
    check("neutron", lambda: f"{len(list(conn.network.extensions()))} extensions, "
                             f"{len(list(conn.network.networks()))} networks")
    check("glance", lambda: _require(conn.image.find_image(IMAGE, ignore_missing=True) is not None,
                                     f"image {IMAGE} registered"))
    check("placement", lambda: _require(len(list(conn.placement.resource_providers())) > 0,
                                        "resource provider for the fake compute host"))
    check("flavors", lambda: _require(all(conn.compute.find_flavor(f[0], ignore_missing=True) for f in FLAVORS),
                                      ", ".join(f[0] for f in FLAVORS)))
    check("public network", lambda: _require(
        any(s.cidr == PUBLIC_CIDR for s in conn.network.subnets(
            network_id=conn.network.find_network(PUBLIC_NET, ignore_missing=False).id)),
        f"external network {PUBLIC_NET} {PUBLIC_CIDR}"))
    if args.json:
        print(json.dumps([{"check": n, "ok": ok, "detail": d} for n, ok, d in checks]))
    else:
        for name, ok, detail in checks:
            print(f"  {'OK  ' if ok else 'FAIL'} {name:28} {detail}")
    return 0 if all(ok for _, ok, _ in checks) else 1


def _require(cond, detail):
    if not cond:
        raise RuntimeError(detail)
    return detail


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("catalog")
    p = sub.add_parser("ready")
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--fresh", action="append", default=[], metavar="BINARY=EPOCH",
                   help="BINARY must have reported after EPOCH (it was restarted then)")
    p.add_argument("--boot", metavar="GUEST_IMAGE_DIR", default="",
                   help="booting cloud: also wait for the neutron agents and register the guest image and flavor")
    p = sub.add_parser("health")
    p.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        conn = connect()
        rc = {"catalog": catalog, "ready": ready, "health": health}[args.cmd](conn, args)
    except Exception as exc:  # noqa: BLE001 - one line for the operator, not a traceback
        print(f"devcloud: {args.cmd}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return rc or 0


if __name__ == "__main__":
    sys.exit(main())
