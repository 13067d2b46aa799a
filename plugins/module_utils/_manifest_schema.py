# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The application manifest's one schema (``SCHEMA``) and the constants its rules share.

``SCHEMA`` is the single definition of the manifest's structure: ``_manifest_validator`` interprets it and
``docs/manifest.schema.json`` is rendered from it by ``render_schema()`` (a unit test keeps the two equal).
The public entry is ``manifest.py``.
"""

from __future__ import annotations

import json


SCHEMA_ID = "https://example.invalid/govcloud/lifecycle/manifest.schema.json"
ROOT = "application"

ZONES = ("gov-extranet", "internet", "management", "data")
ZONE_TERMS = {
    "gov-extranet": ("政务外网区", "e-government extranet zone"),
    "internet": ("互联网区", "internet zone (DMZ)"),
    "management": ("管理区", "management zone"),
    "data": ("数据区", "data zone"),
}
# The one zone where a service may be opened to any source: the standard separates the internet-facing
# area from the e-government extranet, and only the former serves the public.
INTERNET_ZONE = "internet"

# Our default (documented in docs/manifest.md): special-purpose IPv4/IPv6 ranges (RFC 6890 / IANA special
# registries) that can never be a tenant subnet.  Each cloud adds its own provider/management ranges.
DEFAULT_RESERVED_CIDRS = (
    "0.0.0.0/8",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::1/128",
    "fe80::/10",
    "ff00::/8",
)
# Our default: the trial run (系统试运行) is bounded; the standard gives no number we can read.
DEFAULT_MAX_TRIAL_DAYS = 90
# Our default: a bastion is a host or a small management network, never "anywhere".
BASTION_MIN_PREFIX = {4: 16, 6: 48}

# Security rules of the manifest (docs/manifest.md, "Security rules"): each a documented default that a cloud's
# policy (``govcloud_manifest_policy``) can tighten and never loosen; each message names its rule id.
RULE_MANAGEMENT = "management-only-from-bastion"
RULE_ANYWHERE = "no-anywhere-outside-internet"
RULE_SOURCE_PREFIX = "source-prefix-bound"
RULE_ZONE_PREFIX = "zone-prefix-bound"
RULE_BASTION_PREFIX = "bastion-prefix-bound"
# GB/T 22239-2019 (level 3 numbering; level 2: 7.1.x): 8.1.4.4 c) management terminals restricted by access
# method and address range (管理终端限制); 8.1.3.2 a)/c) access control at the zone boundary, checked on source
# address, port and protocol; 8.1.5.4 a)/b) a dedicated management area and a secure management path (集中管控);
# 8.1.2.1 c) network zones with addresses allotted for management and control.
RULE_CLAUSES = {
    RULE_MANAGEMENT: "GB/T 22239-2019 8.1.4.4 c, 8.1.5.4 a/b",
    RULE_ANYWHERE: "GB/T 22239-2019 8.1.3.2 a/c",
    RULE_SOURCE_PREFIX: "GB/T 22239-2019 8.1.3.2 a/c",
    RULE_ZONE_PREFIX: "GB/T 22239-2019 8.1.2.1 c",
    RULE_BASTION_PREFIX: "GB/T 22239-2019 8.1.4.4 c",
}
# Our default: the remote-management protocols of servers (IANA service names); a service on one of them is
# management access whatever it is called, and so is any service the manifest marks ``management: true``.
DEFAULT_MANAGEMENT_SERVICES = (
    {"name": "ssh", "protocol": "tcp", "port": 22},
    {"name": "telnet", "protocol": "tcp", "port": 23},
    {"name": "ms-wbt-server (RDP)", "protocol": "tcp", "port": 3389},
    {"name": "ms-wbt-server (RDP)", "protocol": "udp", "port": 3389},
    {"name": "vnc", "protocol": "tcp", "port": 5900},
    {"name": "wsman (WinRM)", "protocol": "tcp", "port": 5985},
    {"name": "wsmans (WinRM)", "protocol": "tcp", "port": 5986},
)
# Our default: the prefix lengths a zone subnet may have.  /16 is the largest block one application plausibly
# needs (65,534 addresses) and the size the cloud's address plans hand out; /29 is the smallest Neutron subnet
# with room beyond gateway and DHCP port.  IPv6: /48 (one site) to /64 (what SLAAC needs).
DEFAULT_ZONE_PREFIX = {4: (16, 29), 6: (48, 64)}
# Our default: outside the internet-facing zone a source is a set of known networks; nothing broader than the
# largest single allocation (an IPv4 /8, an IPv6 /32 as the RIRs hand to an operator) is one.
DEFAULT_SOURCE_MIN_PREFIX = {4: 8, 6: 32}
# Our default: the zones where a service may be opened to any source (0.0.0.0/0, ::/0).
DEFAULT_ANYWHERE_ZONES = (INTERNET_ZONE,)
POLICY_KEYS = ("management_services", "zone_prefix", "source_min_prefix", "bastion_min_prefix", "anywhere_zones")
# Source: the flavors nova created by default (``nova-manage flavor`` defaults before Newton); the dev cloud
# registers m1.tiny with the same sizes.  Each cloud passes its own table.
DEFAULT_FLAVORS = {
    "m1.tiny": {"vcpus": 1, "ram_mb": 512, "disk_gb": 1},
    "m1.small": {"vcpus": 1, "ram_mb": 2048, "disk_gb": 20},
    "m1.medium": {"vcpus": 2, "ram_mb": 4096, "disk_gb": 40},
    "m1.large": {"vcpus": 4, "ram_mb": 8192, "disk_gb": 80},
    "m1.xlarge": {"vcpus": 8, "ram_mb": 16384, "disk_gb": 160},
}
# Placeholders an applicant leaves in a form before the person is known; they do not name anybody.
PLACEHOLDER_NAMES = ("tbd", "todo", "n/a", "na", "none", "unknown", "待定", "暂无", "无", "未定", "xxx")

_SLUG = "^[a-z][a-z0-9-]{1,30}[a-z0-9]$"
_CIDR_SHAPE = "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$"


def _text(description, **extra):
    schema = {"type": "string", "minLength": 1, "maxLength": 200, "description": description}
    schema.update(extra)
    return schema


def _object(description, properties, required=()):
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _list(description, items, min_items=0, max_items=None):
    schema = {"type": "array", "description": description, "items": items, "minItems": min_items}
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


_PROTOCOL_FLOW = {
    "protocol": {"type": "string", "enum": ["tcp", "udp", "icmp"], "description": "协议 protocol."},
    "port": {
        "type": "integer", "minimum": 1, "maximum": 65535,
        "description": "端口 port; required for tcp/udp, not allowed for icmp.",
    },
}

_QUOTA_PROPERTIES = {
    key: {"type": "integer", "minimum": 0, "maximum": 1000000, "description": text}
    for key, text in (
        ("instances", "云主机数 instances."),
        ("cores", "vCPU 数 cores."),
        ("ram_mb", "内存 RAM in MiB."),
        ("volumes", "云硬盘数 volumes."),
        ("gigabytes", "云硬盘容量 volume GiB."),
        ("networks", "网络数 networks."),
        ("subnets", "子网数 subnets."),
        ("routers", "路由器数 routers."),
        ("security_groups", "安全组数 security groups."),
        ("floating_ips", "浮动 IP 数 floating IPs."),
    )
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "govcloud.lifecycle application manifest (应用系统上线申请清单)",
    "description": (
        "One YAML document per application system, the single input of every lifecycle stage. "
        "The semantic checks of docs/manifest.md apply on top of this schema."
    ),
    "type": "object",
    "required": [ROOT],
    "properties": {ROOT: {"$ref": "#/$defs/application"}},
    "$defs": {
        "slug": {"type": "string", "pattern": _SLUG, "description": "Lower-case id: letters, digits, '-'."},
        "cidr": {"type": "string", "pattern": _CIDR_SHAPE, "description": "IPv4/IPv6 network in CIDR notation."},
        "date": {"type": "string", "format": "date", "description": "Calendar date, YYYY-MM-DD."},
        "zone": {"type": "string", "enum": list(ZONES), "description": "安全区域 zone name."},
        "bilingual": _object(
            "名称 name in Chinese and English.",
            {"zh": _text("中文名称."), "en": _text("English name.")},
            required=("zh", "en"),
        ),
        "person_ref": {
            "type": "string", "pattern": _SLUG,
            "description": "The id of an entry in application.contacts.",
        },
        "application": _object(
            "应用系统 the application system.",
            {
                "schema_version": {"type": "integer", "enum": [1], "description": "Manifest format version."},
                "id": {"$ref": "#/$defs/slug"},
                "name": {"$ref": "#/$defs/bilingual"},
                "description": _text("系统描述 what the system does, for the application form.", maxLength=2000),
                "owning_unit": _object(
                    "使用单位 the unit that owns and uses the system.",
                    {
                        "zh": _text("单位名称."),
                        "en": _text("Unit name."),
                        "credit_code": {
                            "type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$",
                            "description": "统一社会信用代码 unified social credit code (18 characters).",
                        },
                    },
                    required=("zh", "en"),
                ),
                "contacts": _list(
                    "联系人 the people named anywhere in the manifest.",
                    _object(
                        "联系人 a person.",
                        {
                            "id": {"$ref": "#/$defs/slug"},
                            "name": _text("姓名 full name."),
                            "title": _text("职务 position."),
                            "phone": {
                                "type": "string", "pattern": "^[0-9+][0-9 -]{5,19}$",
                                "description": "电话 phone number.",
                            },
                            "email": {
                                "type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
                                "description": "电子邮箱 e-mail address.",
                            },
                        },
                        required=("id", "name"),
                    ),
                    min_items=1,
                ),
                "responsible": _object(
                    "责任人 responsible persons; 三权分立 separates system admin, security officer and auditor.",
                    {
                        "security_officer": {"$ref": "#/$defs/person_ref"},
                        "system_admin": {"$ref": "#/$defs/person_ref"},
                        "auditor": {"$ref": "#/$defs/person_ref"},
                        "unit_leader": {"$ref": "#/$defs/person_ref"},
                    },
                    required=("security_officer", "system_admin"),
                ),
                "mlps": _object(
                    "等级保护 MLPS (GB/T 22239-2019) protection level and its grading (定级).",
                    {
                        "level": {
                            "type": "integer", "minimum": 1, "maximum": 4,
                            "description": "安全保护等级 protection level 1-4.",
                        },
                        "grading": _object(
                            "定级 grading record (GB/T 22240-2020).",
                            {
                                "date": {"$ref": "#/$defs/date"},
                                "report_ref": _text("定级报告 grading report reference."),
                                "expert_review_ref": _text("专家评审意见 expert review reference."),
                                "supervisor_review_ref": _text("主管部门审核意见 supervisor review reference."),
                            },
                            required=("date",),
                        ),
                    },
                    required=("level",),
                ),
                "data": _object(
                    "数据分类 data classification.",
                    {
                        "classification": {
                            "type": "string", "enum": ["general", "important", "core"],
                            "description": "一般数据 general / 重要数据 important / 核心数据 core.",
                        },
                        "personal_information": {"type": "boolean", "description": "含个人信息 holds personal data."},
                    },
                    required=("classification", "personal_information"),
                ),
                "bastion_cidrs": _list(
                    "堡垒机 networks management access may come from.", {"$ref": "#/$defs/cidr"}, min_items=1,
                ),
                "zones": _list(
                    "安全区域 the zones the system needs, each with its subnet.",
                    _object(
                        "安全区域 a zone.",
                        {
                            "name": {"$ref": "#/$defs/zone"},
                            "cidr": {"$ref": "#/$defs/cidr"},
                            "description": _text("Purpose of the zone."),
                        },
                        required=("name", "cidr"),
                    ),
                    min_items=1, max_items=len(ZONES),
                ),
                "servers": _list(
                    "云主机 servers, each in one zone.",
                    _object(
                        "云主机 a server.",
                        {
                            "name": {
                                "type": "string", "pattern": "^[a-z][a-z0-9-]{0,61}[a-z0-9]$",
                                "description": "Host name.",
                            },
                            "zone": {"$ref": "#/$defs/zone"},
                            "flavor": _text("规格 flavor name."),
                            "image": _text("镜像 image name."),
                            "role": _text("What the server does."),
                            "volumes": _list(
                                "云硬盘 data volumes.",
                                _object(
                                    "云硬盘 a volume.",
                                    {
                                        "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,61}[a-z0-9]$",
                                                 "description": "Volume name, unique per server."},
                                        "size_gb": {"type": "integer", "minimum": 1, "maximum": 16384,
                                                    "description": "Size in GiB."},
                                        "type": _text("Volume type."),
                                    },
                                    required=("name", "size_gb"),
                                ),
                            ),
                        },
                        required=("name", "zone", "flavor", "image"),
                    ),
                    min_items=1,
                ),
                "services": _list(
                    "对外服务 services exposed to sources outside the application.",
                    _object(
                        "对外服务 an exposed service.",
                        dict(
                            _PROTOCOL_FLOW,
                            name={"$ref": "#/$defs/slug"},
                            zone={"$ref": "#/$defs/zone"},
                            sources=_list("访问来源 source networks.", {"$ref": "#/$defs/cidr"}, min_items=1),
                            servers=_list("Servers behind the service (default: all in the zone).",
                                          {"type": "string", "minLength": 1, "description": "Server name."}),
                            management={
                                "type": "boolean",
                                "description": "管理服务 true: the service is management access (remote administration), "
                                               "reachable only from bastion_cidrs. A service on a management port "
                                               "(SSH 22, Telnet 23, RDP 3389, VNC 5900, WinRM 5985/5986 and the "
                                               "cloud's policy) is one whatever this says.",
                            },
                            description=_text("Purpose."),
                        ),
                        required=("name", "zone", "protocol", "sources"),
                    ),
                ),
                "flows": _list(
                    "区域间访问 allowed flows between the application's zones (default deny).",
                    _object(
                        "区域间访问 a flow.",
                        dict(
                            _PROTOCOL_FLOW,
                            **{
                                "from": {"$ref": "#/$defs/zone"},
                                "to": {"$ref": "#/$defs/zone"},
                                "description": _text("Purpose."),
                            }
                        ),
                        required=("from", "to", "protocol"),
                    ),
                ),
                "quotas": _object(
                    "配额 tenant quotas (the formal values); must cover what the servers need.",
                    _QUOTA_PROPERTIES,
                    required=("instances", "cores", "ram_mb", "volumes", "gigabytes"),
                ),
                "trial": _object(
                    "试运行 trial run period.",
                    {
                        "start": {"$ref": "#/$defs/date"},
                        "end": {"$ref": "#/$defs/date"},
                        "test_cidrs": _list(
                            "测试来源 networks the declared services are opened to during the trial instead of "
                            "their sources (trial exposure group).",
                            {"$ref": "#/$defs/cidr"},
                        ),
                        "quotas": _object(
                            "试运行配额 tenant quotas during the trial; promotion sets the formal `quotas`.",
                            _QUOTA_PROPERTIES,
                        ),
                    },
                    required=("start", "end"),
                ),
                "approvals": _list(
                    "审批 approvals the applicant already holds (the cloud management unit's approval is an "
                    "evidence record of stage 'approval').",
                    _object(
                        "审批 an approval.",
                        {
                            "authority": {
                                "type": "string", "enum": ["supervisor", "management_unit", "cyberspace_admin"],
                                "description": "主管部门 supervisor / 管理单位 management unit / 网信部门.",
                            },
                            "ref": _text("文号 document reference."),
                            "date": {"$ref": "#/$defs/date"},
                            "approver": _text("审批人 approver."),
                        },
                        required=("authority", "ref", "date"),
                    ),
                ),
                "rectification": _object(
                    "整改 rectification items (docs/evidence.md): when an item is due and which severities hold "
                    "up the promotion gate.",
                    {
                        "due_days": {"type": "integer", "minimum": 1, "maximum": 365,
                                     "description": "整改期限 days from an item's opening to its due date (default 30)."},
                        "blocking": _list(
                            "阻断级别 severities whose open items block formal operation (default [high]).",
                            {"type": "string", "enum": ["high", "medium", "low"]},
                        ),
                    },
                ),
            },
            required=(
                "schema_version", "id", "name", "description", "owning_unit", "contacts", "responsible",
                "mlps", "data", "bastion_cidrs", "zones", "servers", "quotas", "trial",
            ),
        ),
    },
}

# Keywords the validator below implements; a unit test keeps SCHEMA within them.
SUPPORTED_KEYWORDS = frozenset((
    "$schema", "$id", "$defs", "$ref", "title", "description", "type", "enum", "pattern", "format",
    "minLength", "maxLength", "minimum", "maximum", "items", "minItems", "maxItems", "properties",
    "required", "additionalProperties",
))


def render_schema():
    """The text of docs/manifest.schema.json."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"
