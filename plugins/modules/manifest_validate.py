#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: manifest_validate
short_description: Check an application manifest and the applicant conditions (上线申请条件)
version_added: 1.0.0
description:
  - Checks the application manifest (the C(application) variable of the application's inventory) against the
    published schema C(docs/manifest.schema.json) and the semantic rules of C(docs/manifest.md), and reports
    B(every) problem at once, each naming the field path (for example C(application.zones[2].cidr)) and the
    reason.
  - Returns the normalised manifest as plain data for the roles, and what its servers take from the quotas.
  - With O(gate), also checks the applicant conditions of the standard's 上线申请 stage (named responsible
    persons, 等保 level given and graded, grading record from level 2, and with O(gate=allocation) the cloud
    management unit's approval recorded in the evidence ledger) and fails listing every unmet condition.
  - Runs on the controller through its action plugin; reads, never writes.
extends_documentation_fragment:
  - govcloud.lifecycle._attributes
  - govcloud.lifecycle._attributes.INFO_MODULE
options:
  manifest:
    description:
      - The manifest, normally V({{ application | default(omit\) }}).
      - "When omitted the check fails with C(application: is required)."
    type: raw
  flavors:
    description:
      - Flavor table used to compute what the servers need; a mapping of flavor name to C(vcpus) and C(ram_mb)
        (and optionally C(disk_gb)).
      - Defaults to nova's classic flavors C(m1.tiny) (1 vCPU, 512 MiB), C(m1.small) (1, 2048),
        C(m1.medium) (2, 4096), C(m1.large) (4, 8192) and C(m1.xlarge) (8, 16384).
    type: dict
  reserved_cidrs:
    description:
      - Ranges no application subnet or bastion may use (special-purpose ranges of RFC 6890).
    type: list
    elements: str
    default: [0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, 240.0.0.0/4, "::1/128", "fe80::/10", "ff00::/8"]
  cloud_reserved_cidrs:
    description:
      - Ranges the cloud itself uses (provider/public and management networks); no zone may overlap them.
    type: list
    elements: str
    default: []
  occupied_cidrs:
    description:
      - Subnets other applications already use in the cloud; no zone may overlap them.
    type: list
    elements: dict
    default: []
    suboptions:
      cidr:
        description: The subnet.
        type: str
        required: true
      owner:
        description: Who uses it, for the message.
        type: str
        default: another application
  max_trial_days:
    description:
      - Longest trial run (系统试运行) in days. Our default; the standard gives no number.
    type: int
    default: 90
  policy:
    description:
      - The cloud's manifest policy (normally V({{ govcloud_manifest_policy | default(omit\) }})), which can
        B(tighten) the security rules of docs/manifest.md and never loosen them; every key is optional.
      - C(management_services) the full list of management services (C(name), C(protocol) tcp/udp, C(port)),
        which must include every default (SSH tcp/22, Telnet tcp/23, RDP tcp/udp 3389, VNC tcp/5900,
        WinRM tcp/5985 and tcp/5986) and may add the cloud's own.
      - C(zone_prefix) C(ipv4)/C(ipv6) C(min)/C(max) prefix lengths of a zone subnet (defaults /16-/29 and /48-/64).
      - C(source_min_prefix) C(ipv4)/C(ipv6) broadest service source outside the internet-facing zone (/8, /32).
      - C(bastion_min_prefix) C(ipv4)/C(ipv6) broadest bastion network (/16, /48).
      - C(anywhere_zones) zones where a service may be open to any source, a subset of the default V([internet]).
      - A policy that loosens a default, or is malformed (anything but a mapping included), fails the check naming
        the policy field.
    type: raw
  gate:
    description:
      - V(none) checks the manifest only.
      - V(application) also checks the conditions for submitting the application (上线申请).
      - V(allocation) also requires the cloud management unit's approval, read from the evidence ledger in
        O(evidence_dir), before resources are allocated (资源分配).
    type: str
    choices: [none, application, allocation]
    default: none
  evidence_dir:
    description:
      - Directory of the application's evidence ledger C(ledger.sqlite), read with O(gate=allocation).
      - Defaults as for the evidence modules to E(GOVCLOUD_EVIDENCE_DIR), else C(evidence/<application id>)
        relative to the directory C(ansible-playbook) runs in.
      - A directory without a ledger counts as one without approval; nothing is created.
    type: path
notes:
  - The manifest model, its schema and the applicant conditions live in the C(manifest) module_utils;
    C(lifecycle_gate) calls the same C(applicant_conditions) function.
seealso:
  - name: Manifest guide
    description: Fields, rules and defaults, in Chinese and English.
    link: https://example.invalid/govcloud/lifecycle/docs/manifest.md
"""

EXAMPLES = r"""
- name: Check the manifest before anything else
  govcloud.lifecycle.manifest_validate:
    manifest: "{{ application | default(omit) }}"
    flavors: "{{ govcloud_flavors }}"
    cloud_reserved_cidrs: "{{ govcloud_cloud_reserved_cidrs }}"
  register: intake_manifest

- name: Gate resource allocation on the applicant conditions and the recorded approval
  govcloud.lifecycle.manifest_validate:
    manifest: "{{ application }}"
    gate: allocation
"""

RETURN = r"""
valid:
  description: Whether the manifest passed the schema and the semantic checks.
  returned: always
  type: bool
  sample: true
problems:
  description: "Every problem, as C(field path: reason)."
  returned: always
  type: list
  elements: str
  sample: ["application.zones[2].cidr: 10.36.10.0/25 overlaps application.zones[0].cidr (10.36.10.0/24); zones must not share addresses"]
unmet_conditions:
  description: Every unmet applicant condition (empty with O(gate=none)).
  returned: always
  type: list
  elements: str
  sample: ["application.mlps.grading.expert_review_ref: level 3 needs a grading record: 专家评审意见 expert review reference missing"]
manifest:
  description: The normalised manifest (canonical CIDRs, optional lists present); empty when invalid.
  returned: always
  type: dict
  sample: {"id": "jx-bdcdj", "zones": [{"name": "internet", "cidr": "10.36.20.0/24"}]}
manifest_sha256:
  description: sha256 of the canonical JSON of the normalised manifest; an approval record carries it.
  returned: always
  type: str
  sample: 0f3c5d0e3b1b2a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4
responsible:
  description: The responsible persons (责任人) by duty, each with C(id), C(name) and C(title) (no contact data).
  returned: always
  type: dict
  sample: {"security_officer": {"id": "liu-yang", "name": "刘洋", "title": "信息中心副主任"}}
derived:
  description:
    - What the stage playbooks take from the manifest beyond its own fields, computed once in module_utils/manifest.py.
    - C(tenant_users) the tenant's separated accounts (三权分立), each C(name), C(duty) (admin, operator, auditor), C(person), C(email).
    - C(tenant_description) the project description; C(hardening_level) the baseline_hardening level (the MLPS level within 2..3).
    - C(quotas) and C(trial_quotas) the formal and the trial quotas as openstack.cloud.quota options (C(ram_mb) becomes C(ram)).
  returned: when valid
  type: dict
  sample: {"tenant_users": [{"name": "demo-sysadmin", "duty": "admin", "person": "wang-wei", "email": "wang@example.invalid"}],
           "tenant_description": "示例 / Demo (示例单位)", "hardening_level": 3, "quotas": {"instances": 4, "ram": 8192},
           "trial_quotas": {"instances": 4, "ram": 8192}}
needs:
  description: What the servers take from the quotas (instances, cores, ram_mb, volumes, gigabytes, networks, subnets, routers).
  returned: when valid
  type: dict
  sample: {"instances": 4, "cores": 4, "ram_mb": 5120, "volumes": 3, "gigabytes": 50, "networks": 4, "subnets": 4, "routers": 1}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils._argspec import MANIFEST_VALIDATE_SPEC
from ansible_collections.govcloud.lifecycle.plugins.module_utils.manifest import check_request


def main():
    # Reached only where the action plugin is bypassed; the ledger is read on the controller, so the
    # approval gate is not available here.
    module = AnsibleModule(supports_check_mode=True, **MANIFEST_VALIDATE_SPEC)
    if module.params["gate"] == "allocation":
        module.fail_json(msg="gate=allocation reads the evidence ledger and runs on the controller only")
    result = check_request(module.params)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
