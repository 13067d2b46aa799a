# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The application manifest: its one schema, its checks, its normal form and the applicant conditions.

Every stage reads the manifest through ``validate()``; roles get the plain data it returns and never parse
the manifest themselves.  ``SCHEMA`` is the single definition of the structure: the small validator below
interprets it, and ``docs/manifest.schema.json`` is rendered from it by ``render_schema()`` (a unit test keeps
the two equal), so operators, editors and this code all check against the same thing.

Only the standard library is used, so the same code works in the action plugin on the controller and in the
module on a target.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import ipaddress
import json
import re

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


class Problem(object):
    """A field path and what is wrong with it; ``str()`` gives ``path: reason``."""

    __slots__ = ("path", "reason")

    def __init__(self, path, reason):
        self.path = path
        self.reason = reason

    def __str__(self):
        return "%s: %s" % (self.path, self.reason)

    def __repr__(self):
        return "Problem(%r, %r)" % (self.path, self.reason)


def _key_path(path, key):
    key = str(key)
    if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
        return "%s.%s" % (path, key) if path else key
    return "%s[%s]" % (path, json.dumps(key, ensure_ascii=False))


def _item_path(path, index):
    return "%s[%d]" % (path, index)


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_TYPE_WORDS = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
    "boolean": "true or false", "number": "a number", "null": "null",
}


def _show(value):
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_date(value):
    if not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", value):
        return False
    try:
        datetime.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return False
    return True


def _matches(pattern, value):
    # JSON Schema patterns are ECMA-262: "$" ends the string, while Python's "$" also matches before a final
    # newline, which would let "name\n" through.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.search(pattern, value) is not None


def _resolve(schema):
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def schema_problems(document, schema=None, path=""):
    """Problems of ``document`` against ``SCHEMA`` (or a sub-schema), every one of them, in document order."""
    problems = []
    _check_schema(document, _resolve(schema if schema is not None else SCHEMA), path, problems)
    return problems


def _check_schema(value, schema, path, problems):
    expected = schema.get("type")
    if expected is not None and _json_type(value) != expected:
        got = _json_type(value) if value is None or _json_type(value) in ("array", "object") and not value else \
            "%s %s" % (_json_type(value), _show(value))
        problems.append(Problem(path, "must be %s, not %s" % (_TYPE_WORDS[expected], got)))
        return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(Problem(path, "must be one of %s, not %s" % (", ".join(_show(v) for v in schema["enum"]), _show(value))))
        return
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(Problem(path, "must not be empty" if not value else "is too short"))
        elif "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(Problem(path, "is longer than %d characters" % schema["maxLength"]))
        elif "pattern" in schema and not _matches(schema["pattern"], value):
            problems.append(Problem(path, "%s does not match the pattern %s (%s)" % (
                _show(value), schema["pattern"], schema.get("description", "").rstrip(".") or "see the schema")))
        elif schema.get("format") == "date" and not _is_date(value):
            problems.append(Problem(path, "%s is not a calendar date YYYY-MM-DD" % _show(value)))
    elif _json_type(value) == "integer":
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(Problem(path, "must be at least %s, not %s" % (schema["minimum"], value)))
        elif "maximum" in schema and value > schema["maximum"]:
            problems.append(Problem(path, "must be at most %s, not %s" % (schema["maximum"], value)))
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(Problem(path, "needs at least %d item(s)" % schema["minItems"]))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(Problem(path, "allows at most %d item(s)" % schema["maxItems"]))
        if "items" in schema:
            items = _resolve(schema["items"])
            for index, item in enumerate(value):
                _check_schema(item, items, _item_path(path, index), problems)
    elif isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(Problem(_key_path(path, key), "is required"))
        for key, item in value.items():
            if key in properties:
                _check_schema(item, _resolve(properties[key]), _key_path(path, key), problems)
            elif schema.get("additionalProperties", True) is False:
                problems.append(Problem(_key_path(path, key), "is not a known field (known: %s)" % ", ".join(properties)))


def plain(value):
    """Ansible/YAML values as plain JSON data: dates become ISO strings, str/int subclasses plain."""
    if isinstance(value, dict):
        return dict((plain(k) if isinstance(k, str) else k, plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _dicts(value):
    """The (index, item) pairs of a list that are mappings; anything else was already reported by the schema."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _get(mapping, *keys):
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _network(value):
    """A CIDR string as an ip_network, or the reason it is not one (None when the schema already said so)."""
    if not isinstance(value, str) or not _matches(_CIDR_SHAPE, value):
        return None, None
    try:
        strict = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return None, "%s is not a valid network in CIDR notation (%s)" % (_show(value), exc)
        return None, "%s has host bits set; the network is %s" % (_show(value), loose)
    return strict, None


def _parse_networks(values, path, problems):
    """[(path, network)] for the valid entries of a CIDR list; problems for the rest."""
    found = []
    for index, value in enumerate(values if isinstance(values, list) else []):
        item_path = _item_path(path, index)
        net, reason = _network(value)
        if reason:
            problems.append(Problem(item_path, reason))
        elif net is not None:
            found.append((item_path, net))
    return found


def _reserved(reserved):
    return [(str(text), ipaddress.ip_network(text, strict=False)) for text in reserved]


def _overlaps(a, b):
    return a.version == b.version and a.overlaps(b)


def default_policy():
    """The rules' defaults as a policy (docs/manifest.md, "Security rules"): what a cloud's policy may tighten."""
    return {
        "management_services": [dict(m) for m in DEFAULT_MANAGEMENT_SERVICES],
        "zone_prefix": dict(("ipv%d" % v, {"min": lo, "max": hi}) for v, (lo, hi) in DEFAULT_ZONE_PREFIX.items()),
        "source_min_prefix": dict(("ipv%d" % v, n) for v, n in DEFAULT_SOURCE_MIN_PREFIX.items()),
        "bastion_min_prefix": dict(("ipv%d" % v, n) for v, n in BASTION_MIN_PREFIX.items()),
        "anywhere_zones": list(DEFAULT_ANYWHERE_ZONES),
    }


_MAX_PREFIX = {"ipv4": 32, "ipv6": 128}
_LOOSEN = "a policy may tighten the manifest rules, never loosen them (docs/manifest.md, \"Security rules\")"


def _prefix_value(value, vpath, family, problems):
    if _json_type(value) != "integer" or not 0 <= value <= _MAX_PREFIX[family]:
        problems.append(Problem(vpath, "must be a prefix length 0-%d, not %s" % (_MAX_PREFIX[family], _show(value))))
        return None
    return value


def _families(value, vpath, problems):
    """The ipv4/ipv6 entries of a per-family policy mapping; problems for anything else."""
    if not isinstance(value, dict):
        problems.append(Problem(vpath, "must be a mapping with ipv4 and/or ipv6, not %s" % _show(value)))
        return []
    found = []
    for family, item in value.items():
        if family not in _MAX_PREFIX:
            problems.append(Problem(_key_path(vpath, family), "is not a known address family (known: ipv4, ipv6)"))
        else:
            found.append((family, item, _key_path(vpath, family)))
    return found


def resolve_policy(policy, path="policy"):
    """``(effective, problems)``: the defaults tightened by ``policy`` (a mapping, or None for the defaults).

    Every key is optional; what a key leaves out keeps its default.  A value that would loosen a default (drop a
    management service, allow broader zones, sources or bastions, open another zone to any source) is a problem
    that says so, as is anything malformed; ``effective`` then holds the defaults for that key.
    """
    effective = default_policy()
    problems = []
    if policy is None:
        return effective, problems
    if not isinstance(policy, dict):
        return effective, [Problem(path, "must be a mapping (keys: %s), not %s" % (", ".join(POLICY_KEYS), _show(policy)))]
    for key in policy:
        if key not in POLICY_KEYS:
            problems.append(Problem(_key_path(path, key), "is not a known policy key (known: %s)" % ", ".join(POLICY_KEYS)))
    if "management_services" in policy:
        _policy_management(policy["management_services"], _key_path(path, "management_services"), effective, problems)
    if "zone_prefix" in policy:
        _policy_zone_prefix(policy["zone_prefix"], _key_path(path, "zone_prefix"), effective, problems)
    for key, what in (("source_min_prefix", "sources outside the internet-facing zones"),
                      ("bastion_min_prefix", "bastion networks")):
        if key in policy:
            _policy_min_prefix(policy[key], _key_path(path, key), effective[key], what, problems)
    if "anywhere_zones" in policy:
        _policy_anywhere(policy["anywhere_zones"], _key_path(path, "anywhere_zones"), effective, problems)
    return effective, problems


def _policy_management(entries, mpath, effective, problems):
    """The full list of management services: well-formed, and every default in it."""
    if not isinstance(entries, list):
        problems.append(Problem(mpath, "must be a list of {name, protocol, port}, not %s" % _show(entries)))
        return
    before = len(problems)
    for index, entry in enumerate(entries):
        epath = _item_path(mpath, index)
        if not isinstance(entry, dict):
            problems.append(Problem(epath, "must be a mapping {name, protocol, port}, not %s" % _show(entry)))
            continue
        for key in entry:
            if key not in ("name", "protocol", "port"):
                problems.append(Problem(_key_path(epath, key), "is not a known field (known: name, protocol, port)"))
        if not isinstance(entry.get("name"), str) or not entry.get("name", "").strip():
            problems.append(Problem(_key_path(epath, "name"), "must be a non-empty string"))
        if entry.get("protocol") not in ("tcp", "udp"):
            problems.append(Problem(_key_path(epath, "protocol"), "must be tcp or udp, not %s" % _show(entry.get("protocol"))))
        if _json_type(entry.get("port")) != "integer" or not 1 <= entry["port"] <= 65535:
            problems.append(Problem(_key_path(epath, "port"), "must be a port 1-65535, not %s" % _show(entry.get("port"))))
    listed = [(e.get("protocol"), e.get("port")) for e in entries if isinstance(e, dict)]
    missing = ["%s/%d (%s)" % (d["protocol"], d["port"], d["name"]) for d in DEFAULT_MANAGEMENT_SERVICES
               if (d["protocol"], d["port"]) not in listed]
    if missing:
        problems.append(Problem(mpath, "leaves out %s, %s: %s; list every default and add the cloud's own" % (
            ", ".join(missing), "a default management service" if len(missing) == 1 else
            "default management services", _LOOSEN)))
    if len(problems) == before:
        effective["management_services"] = [dict(e, name=e["name"].strip()) for e in entries]


def _policy_zone_prefix(value, zpath, effective, problems):
    """Zone prefix bounds per family: min may only rise, max only fall, and min <= max."""
    for family, bounds, fpath in _families(value, zpath, problems):
        if not isinstance(bounds, dict):
            problems.append(Problem(fpath, "must be a mapping {min, max}, not %s" % _show(bounds)))
            continue
        default = effective["zone_prefix"][family]
        chosen = dict(default)
        for key in bounds:
            if key not in ("min", "max"):
                problems.append(Problem(_key_path(fpath, key), "is not a known field (known: min, max)"))
                continue
            prefix = _prefix_value(bounds[key], _key_path(fpath, key), family, problems)
            if prefix is None:
                continue
            if key == "min" and prefix < default["min"]:
                problems.append(Problem(_key_path(fpath, key), "/%d would allow zones broader than the default /%d: "
                                        "%s" % (prefix, default["min"], _LOOSEN)))
            elif key == "max" and prefix > default["max"]:
                problems.append(Problem(_key_path(fpath, key), "/%d would allow zones narrower than the default /%d: "
                                        "%s" % (prefix, default["max"], _LOOSEN)))
            else:
                chosen[key] = prefix
        if chosen["min"] > chosen["max"]:
            problems.append(Problem(fpath, "min /%d is longer than max /%d: no zone would fit" % (chosen["min"], chosen["max"])))
        else:
            effective["zone_prefix"][family] = chosen


def _policy_min_prefix(value, vpath, current, what, problems):
    """A broadest-allowed prefix per family (``current`` is updated in place): it may only rise."""
    for family, item, fpath in _families(value, vpath, problems):
        prefix = _prefix_value(item, fpath, family, problems)
        if prefix is None:
            continue
        if prefix < current[family]:
            problems.append(Problem(fpath, "/%d would allow %s broader than the default /%d: %s" % (
                prefix, what, current[family], _LOOSEN)))
        else:
            current[family] = prefix


def _policy_anywhere(zones, apath, effective, problems):
    """The zones open to any source: a subset of the default ones."""
    if not isinstance(zones, list):
        problems.append(Problem(apath, "must be a list of zone names, not %s" % _show(zones)))
        return
    chosen = []
    for index, zone in enumerate(zones):
        if zone not in ZONES:
            problems.append(Problem(_item_path(apath, index), "must be one of %s, not %s" % (", ".join(ZONES), _show(zone))))
        elif zone not in DEFAULT_ANYWHERE_ZONES:
            problems.append(Problem(_item_path(apath, index), "%s would open zone %s to any source (only %s faces "
                                    "the internet by default): %s" % (
                                        _show(zone), _show(zone), ", ".join(DEFAULT_ANYWHERE_ZONES), _LOOSEN)))
        else:
            chosen.append(zone)
    effective["anywhere_zones"] = chosen


def _rule(rule):
    return "rule %s, %s" % (rule, RULE_CLAUSES[rule])


def _family(net):
    return "ipv%d" % net.version


def _zone_bounds_text(policy):
    return "/%d to /%d (IPv6 /%d to /%d)" % (
        policy["zone_prefix"]["ipv4"]["min"], policy["zone_prefix"]["ipv4"]["max"],
        policy["zone_prefix"]["ipv6"]["min"], policy["zone_prefix"]["ipv6"]["max"])


def management_reason(service, policy=None):
    """Why a service is management access (e.g. ``tcp/22, ssh``), or None when it is not."""
    policy = policy or default_policy()
    protocol, port = service.get("protocol"), service.get("port")
    for known in policy["management_services"]:
        if (known["protocol"], known["port"]) == (protocol, port):
            return "%s/%s, %s" % (protocol, port, known["name"])
    if service.get("management") is True:
        return "%s%s, marked management: true" % (protocol, "/%s" % port if port is not None else "")
    return None


def _security_problems(app, path, bastions, policy, problems):
    """The security rules on services and the trial's test networks (docs/manifest.md, "Security rules")."""
    bastion_text = ", ".join(str(net) for dummy, net in bastions) or "none valid"
    management = []
    for i, service in _dicts(app.get("services")):
        spath = _item_path(_key_path(path, "services"), i)
        zone = service.get("zone")
        reason = management_reason(service, policy)
        label = "%s (%s)" % (service.get("name") if isinstance(service.get("name"), str) else "#%d" % i, reason)
        if reason:
            management.append(label)
        for src_path, net in _parse_networks(service.get("sources"), _key_path(spath, "sources"), []):
            if reason:
                if not any(net.version == b.version and net.subnet_of(b) for dummy, b in bastions):
                    problems.append(Problem(src_path, "%s may not reach management service %s: management access "
                                            "comes only from bastion_cidrs (%s) — remove the source or route it "
                                            "through the bastion (堡垒机); %s" % (
                                                net, label, bastion_text, _rule(RULE_MANAGEMENT))))
            elif zone in policy["anywhere_zones"]:
                continue
            elif net.prefixlen == 0:
                problems.append(Problem(src_path, "%s (anywhere) may reach a service only in an internet-facing zone "
                                        "(%s), not %s — list the networks that use the service, or declare it in "
                                        "the internet zone (互联网区); %s" % (
                                            net, ", ".join(policy["anywhere_zones"]) or "none by this cloud's policy",
                                            _show(zone), _rule(RULE_ANYWHERE))))
            elif net.prefixlen < policy["source_min_prefix"][_family(net)]:
                problems.append(Problem(src_path, "%s is broader than /%d, the broadest source allowed outside the "
                                        "internet-facing zone — list the networks that use the service (each /%d "
                                        "or longer); %s" % (
                                            net, policy["source_min_prefix"][_family(net)],
                                            policy["source_min_prefix"][_family(net)], _rule(RULE_SOURCE_PREFIX))))
    # the trial opens every declared service to the test networks instead of its sources (docs/trial.md)
    if management:
        trial_path = _key_path(_key_path(path, "trial"), "test_cidrs")
        for tpath, net in _parse_networks(_get(app, "trial", "test_cidrs"), trial_path, []):
            if not any(net.version == b.version and net.subnet_of(b) for dummy, b in bastions):
                problems.append(Problem(tpath, "%s would reach management service %s during the trial, which opens "
                                        "the declared services to trial.test_cidrs instead of their sources: "
                                        "management access comes only from bastion_cidrs (%s) — use test networks "
                                        "inside the bastion networks, or leave the management service out of "
                                        "services (the bastion reaches every zone's management ports by itself); "
                                        "%s" % (net, ", ".join(management), bastion_text, _rule(RULE_MANAGEMENT))))


def semantic_problems(app, flavors=None, reserved_cidrs=DEFAULT_RESERVED_CIDRS, cloud_reserved_cidrs=(),
                      occupied_cidrs=(), max_trial_days=DEFAULT_MAX_TRIAL_DAYS, path=ROOT, policy=None):
    """Problems the schema cannot express.  Works on partly invalid input: it skips what has the wrong shape.

    ``policy`` is the cloud's policy (see ``resolve_policy``; a malformed or loosening one counts as the defaults
    here: ``validate`` refuses it first).
    """
    problems = []
    if not isinstance(app, dict):
        return problems
    policy = resolve_policy(policy)[0]
    flavors = DEFAULT_FLAVORS if flavors is None else flavors
    zones_path = _key_path(path, "zones")
    servers_path = _key_path(path, "servers")

    # Zones: unique names, valid CIDRs, no overlap with each other, reserved ranges or other applications.
    declared_zones = {}
    zone_nets = []
    for i, zone in _dicts(app.get("zones")):
        zpath = _item_path(zones_path, i)
        name = zone.get("name")
        if isinstance(name, str):
            if name in declared_zones:
                problems.append(Problem(_key_path(zpath, "name"), "zone %s is declared twice (first at %s)" % (
                    _show(name), declared_zones[name])))
            else:
                declared_zones[name] = zpath
        cidr = zone.get("cidr")
        if isinstance(cidr, str):
            net, reason = _network(cidr)
            if reason:
                problems.append(Problem(_key_path(zpath, "cidr"), reason))
            elif net is not None:
                zone_nets.append((_key_path(zpath, "cidr"), net))
                bounds = policy["zone_prefix"][_family(net)]
                if not bounds["min"] <= net.prefixlen <= bounds["max"]:
                    broad = net.prefixlen < bounds["min"]
                    problems.append(Problem(_key_path(zpath, "cidr"), "%s is %s than /%d: a zone subnet is %s — "
                                            "declare %s; %s" % (
                                                net, "broader" if broad else "narrower",
                                                bounds["min"] if broad else bounds["max"], _zone_bounds_text(policy),
                                                "the addresses the zone needs, at most a /%d" % bounds["min"] if broad
                                                else "room for the servers, the gateway and the DHCP port, at least "
                                                "a /%d" % bounds["max"], _rule(RULE_ZONE_PREFIX))))
    for j, (jpath, jnet) in enumerate(zone_nets):
        for ipath, inet in zone_nets[:j]:
            if _overlaps(inet, jnet):
                problems.append(Problem(jpath, "%s overlaps %s (%s); zones must not share addresses" % (jnet, ipath, inet)))
    builtin = [(text, net, "a reserved range") for text, net in _reserved(reserved_cidrs)]
    cloud = [(text, net, "a range the cloud itself uses") for text, net in _reserved(cloud_reserved_cidrs)]
    for zpath, net in zone_nets:
        for text, rnet, what in builtin + cloud:
            if _overlaps(net, rnet):
                problems.append(Problem(zpath, "%s overlaps %s, %s" % (net, text, what)))
        for other in occupied_cidrs or ():
            onet = ipaddress.ip_network(str(other["cidr"]), strict=False)
            if _overlaps(net, onet):
                problems.append(Problem(zpath, "%s overlaps %s, already used by %s" % (net, onet, other.get("owner", "another application"))))

    # Bastion networks: valid, not reserved, not "anywhere".
    bastion_path = _key_path(path, "bastion_cidrs")
    bastions = _parse_networks(app.get("bastion_cidrs"), bastion_path, problems)
    for bpath, net in bastions:
        least = policy["bastion_min_prefix"][_family(net)]
        if net.prefixlen < least:
            problems.append(Problem(bpath, "%s is too broad for management access (needs a prefix of /%d or longer) — "
                                    "name the bastion hosts (堡垒机) or their management network; %s" % (
                                        net, least, _rule(RULE_BASTION_PREFIX))))
        for text, rnet, what in builtin:
            if net.version == rnet.version and net.subnet_of(rnet):
                problems.append(Problem(bpath, "%s lies in %s, %s" % (net, text, what)))

    # People: unique ids, references resolve, 三权分立 at level 3 and above.
    contacts_path = _key_path(path, "contacts")
    people = {}
    for i, person in _dicts(app.get("contacts")):
        pid = person.get("id")
        if isinstance(pid, str):
            if pid in people:
                problems.append(Problem(_key_path(_item_path(contacts_path, i), "id"), "contact id %s is used twice" % _show(pid)))
            else:
                people[pid] = person
    responsible = app.get("responsible") if isinstance(app.get("responsible"), dict) else {}
    resp_path = _key_path(path, "responsible")
    for duty, pid in responsible.items():
        if isinstance(pid, str) and pid not in people:
            problems.append(Problem(_key_path(resp_path, duty), "names %s, which is not an id in %s" % (_show(pid), contacts_path)))
    level = _get(app, "mlps", "level")
    if isinstance(level, int) and not isinstance(level, bool) and level >= 3:
        if "auditor" not in responsible:
            problems.append(Problem(_key_path(resp_path, "auditor"), "is required at 等保 level %d (三权分立: a separate auditor)" % level))
        duties = ("system_admin", "security_officer", "auditor")
        seen = {}
        for duty in duties:
            person = responsible.get(duty)
            if not isinstance(person, str):
                continue
            key = _identity(people.get(person)) or person
            if key in seen:
                problems.append(Problem(_key_path(resp_path, duty), "is the same person as %s; 等保 level %d needs "
                                        "system admin, security officer and auditor to be three different persons "
                                        "(三权分立)" % (_key_path(resp_path, seen[key]), level)))
            else:
                seen[key] = duty

    # Servers: unique names, a declared zone, a known flavor, unique volume names.
    names = {}
    for i, server in _dicts(app.get("servers")):
        spath = _item_path(servers_path, i)
        name = server.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(Problem(_key_path(spath, "name"), "server name %s is used twice (first at %s)" % (_show(name), names[name][0])))
            else:
                names[name] = (spath, server.get("zone"))
        zone = server.get("zone")
        if isinstance(zone, str) and zone in ZONES and zone not in declared_zones:
            problems.append(Problem(_key_path(spath, "zone"), "zone %s is not declared in %s" % (_show(zone), zones_path)))
        flavor = server.get("flavor")
        if isinstance(flavor, str) and flavor and flavor not in flavors:
            problems.append(Problem(_key_path(spath, "flavor"), "flavor %s is not in the flavor table (known: %s)" % (
                _show(flavor), ", ".join(sorted(flavors)))))
        volumes = {}
        for j, volume in _dicts(server.get("volumes")):
            vname = volume.get("name")
            if isinstance(vname, str):
                if vname in volumes:
                    problems.append(Problem(_key_path(_item_path(_key_path(spath, "volumes"), j), "name"),
                                            "volume name %s is used twice on this server" % _show(vname)))
                volumes[vname] = True

    # Services and flows: declared zones, port rules, sources.
    for i, service in _dicts(app.get("services")):
        spath = _item_path(_key_path(path, "services"), i)
        zone = service.get("zone")
        _zone_declared(zone, _key_path(spath, "zone"), declared_zones, zones_path, problems)
        _port_rule(service, spath, problems)
        for spath_src, net in _parse_networks(service.get("sources"), _key_path(spath, "sources"), problems):
            for text, rnet, what in builtin:
                if net.version == rnet.version and net.subnet_of(rnet):
                    problems.append(Problem(spath_src, "%s lies in %s, %s" % (net, text, what)))
        for j, server_name in enumerate(service.get("servers") if isinstance(service.get("servers"), list) else []):
            if not isinstance(server_name, str):
                continue
            target = _item_path(_key_path(spath, "servers"), j)
            if server_name not in names:
                problems.append(Problem(target, "server %s is not declared in %s" % (_show(server_name), servers_path)))
            elif names[server_name][1] != zone:
                problems.append(Problem(target, "server %s is in zone %s, not in the service's zone %s" % (
                    _show(server_name), _show(names[server_name][1]), _show(zone))))
    for i, flow in _dicts(app.get("flows")):
        fpath = _item_path(_key_path(path, "flows"), i)
        _zone_declared(flow.get("from"), _key_path(fpath, "from"), declared_zones, zones_path, problems)
        _zone_declared(flow.get("to"), _key_path(fpath, "to"), declared_zones, zones_path, problems)
        if isinstance(flow.get("from"), str) and flow.get("from") == flow.get("to"):
            problems.append(Problem(_key_path(fpath, "to"), "a flow joins two different zones; traffic inside a zone "
                                    "is governed by its own security group"))
        _port_rule(flow, fpath, problems)

    # Security rules: management only from the bastion, no anywhere or too broad sources outside the internet.
    _security_problems(app, path, bastions, policy, problems)

    # Quotas, formal and (when given) those of the trial, cover what the servers need.
    needs = resource_needs(app, flavors)
    trial_path = _key_path(path, "trial")
    for qpath, quotas in ((_key_path(path, "quotas"), app.get("quotas")),
                          (_key_path(trial_path, "quotas"), _get(app, "trial", "quotas"))):
        quotas = quotas if isinstance(quotas, dict) else {}
        for key, needed in needs.items():
            have = quotas.get(key)
            if isinstance(have, int) and not isinstance(have, bool) and have < needed:
                problems.append(Problem(_key_path(qpath, key), "%d is less than the %d the manifest needs" % (have, needed)))

    # Test networks of the trial: real, narrow networks ("anywhere" is no test network), not reserved.
    for tpath, net in _parse_networks(_get(app, "trial", "test_cidrs"), _key_path(trial_path, "test_cidrs"), problems):
        if net.prefixlen == 0:
            problems.append(Problem(tpath, "%s (anywhere) is not a test network; name the testers' networks" % net))
        for text, rnet, what in builtin:
            if net.version == rnet.version and net.subnet_of(rnet):
                problems.append(Problem(tpath, "%s lies in %s, %s" % (net, text, what)))

    # Trial period: ordered and bounded.
    start, end = _get(app, "trial", "start"), _get(app, "trial", "end")
    if isinstance(start, str) and isinstance(end, str) and _is_date(start) and _is_date(end):
        days = (_date(end) - _date(start)).days
        if days <= 0:
            problems.append(Problem(_key_path(trial_path, "end"), "%s is not after the start %s" % (end, start)))
        elif days > max_trial_days:
            problems.append(Problem(_key_path(trial_path, "end"), "the trial lasts %d days, more than the %d allowed" % (days, max_trial_days)))

    # Grading happens before the application; a date in the future is a typo.
    grading_date = _get(app, "mlps", "grading", "date")
    if isinstance(grading_date, str) and _is_date(grading_date) and _date(grading_date) > datetime.date.today():
        problems.append(Problem(_key_path(_key_path(_key_path(path, "mlps"), "grading"), "date"), "%s is in the future" % grading_date))
    return problems


def _identity(person):
    """Two contact entries with the same name and phone are one person, whatever their ids."""
    if not isinstance(person, dict) or not isinstance(person.get("name"), str):
        return None
    return (person.get("name").strip(), person.get("phone") if isinstance(person.get("phone"), str) else None)


def _zone_declared(zone, zpath, declared, zones_path, problems):
    if isinstance(zone, str) and zone in ZONES and zone not in declared:
        problems.append(Problem(zpath, "zone %s is not declared in %s" % (_show(zone), zones_path)))


def _port_rule(entry, path, problems):
    protocol = entry.get("protocol")
    if protocol in ("tcp", "udp") and "port" not in entry:
        problems.append(Problem(_key_path(path, "port"), "is required for protocol %s" % protocol))
    elif protocol == "icmp" and "port" in entry:
        problems.append(Problem(_key_path(path, "port"), "is not allowed for protocol icmp"))


def _date(text):
    return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10]))


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def resource_needs(app, flavors=None):
    """What the declared servers, volumes and zones take from the tenant's quotas."""
    flavors = DEFAULT_FLAVORS if flavors is None else flavors
    needs = {"instances": 0, "cores": 0, "ram_mb": 0, "volumes": 0, "gigabytes": 0}
    for dummy, server in _dicts(app.get("servers") if isinstance(app, dict) else None):
        needs["instances"] += 1
        flavor = flavors.get(server.get("flavor")) if isinstance(server.get("flavor"), str) else None
        if isinstance(flavor, dict):
            needs["cores"] += _int(flavor.get("vcpus"))
            needs["ram_mb"] += _int(flavor.get("ram_mb"))
        for dummy2, volume in _dicts(server.get("volumes")):
            needs["volumes"] += 1
            needs["gigabytes"] += _int(volume.get("size_gb"))
    zones = len(_dicts(app.get("zones") if isinstance(app, dict) else None))
    needs.update(networks=zones, subnets=zones, routers=1 if zones else 0)
    return needs


def responsible_persons(app):
    """Duty -> {id, name, title} of a valid manifest: who the tenant's separated accounts are for."""
    people = dict((p["id"], p) for p in app["contacts"])
    return dict((duty, dict((k, people[pid][k]) for k in ("id", "name", "title") if k in people[pid]))
                for duty, pid in app["responsible"].items())


# Manifest quota names -> openstack.cloud.quota option names (the only one that differs); every quota the
# collection sets (tenant, trial, promotion) goes through quota_options().
QUOTA_OPTIONS = {"ram_mb": "ram"}
# 三权分立: duty in the manifest -> (account name suffix, tenant duty); the auditor account only when named.
DUTY_ACCOUNTS = (("system_admin", "sysadmin", "admin"), ("security_officer", "secadmin", "operator"),
                 ("auditor", "auditor", "auditor"))
# The levels baseline_hardening knows; a level-4 system is hardened to level 3 and the rest by hand.
HARDENING_LEVELS = (2, 3)


def quota_options(quotas):
    """Manifest quotas (``ram_mb``, ...) -> openstack.cloud.quota options (``ram``, ...), sorted by name."""
    return dict((QUOTA_OPTIONS.get(k, k), v) for k, v in sorted((quotas or {}).items()))


def duty_accounts(app):
    """The tenant's separated accounts (三权分立) of a valid manifest: one per responsible person's duty.

    Each is ``{name, duty, person, email}``: ``<id>-sysadmin`` administers the project, ``<id>-secadmin``
    operates it, ``<id>-auditor`` (when an auditor is named) only reads.
    """
    people = dict((p["id"], p) for p in app["contacts"])
    return [{"name": "%s-%s" % (app["id"], suffix), "duty": duty, "person": app["responsible"][key],
             "email": people.get(app["responsible"][key], {}).get("email")}
            for key, suffix, duty in DUTY_ACCOUNTS if key in app["responsible"]]


def hardening_level(app):
    """The baseline_hardening level of the manifest's MLPS level, clamped to the levels the role knows."""
    return min(max(int(app["mlps"]["level"]), HARDENING_LEVELS[0]), HARDENING_LEVELS[-1])


def derived(app):
    """What the stage playbooks take from a valid manifest beyond its own fields, computed here once."""
    return {
        "tenant_users": duty_accounts(app),
        "tenant_description": "%s / %s (%s)" % (app["name"]["zh"], app["name"]["en"], app["owning_unit"]["zh"]),
        "hardening_level": hardening_level(app),
        "quotas": quota_options(app.get("quotas")),
        "trial_quotas": quota_options((app.get("trial") or {}).get("quotas")),
    }


def options_problems(flavors, reserved_cidrs, cloud_reserved_cidrs, occupied_cidrs, max_trial_days):
    """Problems of the checker's own inputs (module options), so that bad options fail as cleanly as bad manifests."""
    problems = []
    if not isinstance(flavors, dict) or not flavors:
        problems.append(Problem("flavors", "must be a non-empty mapping of flavor name to vcpus/ram_mb"))
    else:
        for name, spec in flavors.items():
            for key in ("vcpus", "ram_mb"):
                value = spec.get(key) if isinstance(spec, dict) else None
                if _json_type(value) != "integer" or value < 0:
                    problems.append(Problem("flavors[%s].%s" % (json.dumps(str(name), ensure_ascii=False), key),
                                            "must be a non-negative integer, not %s" % _show(value)))
    for option, values in (("reserved_cidrs", reserved_cidrs), ("cloud_reserved_cidrs", cloud_reserved_cidrs)):
        for index, value in enumerate(values if isinstance(values, (list, tuple)) else [values]):
            try:
                ipaddress.ip_network(str(value), strict=False)
            except ValueError as exc:
                problems.append(Problem(_item_path(option, index), "is not a CIDR (%s)" % exc))
    for index, value in enumerate(occupied_cidrs if isinstance(occupied_cidrs, (list, tuple)) else [occupied_cidrs]):
        try:
            ipaddress.ip_network(str(value["cidr"]), strict=False)
        except (TypeError, KeyError, ValueError) as exc:
            problems.append(Problem(_item_path("occupied_cidrs", index), "needs a valid 'cidr' (%s)" % exc))
    if _json_type(max_trial_days) != "integer" or max_trial_days < 1:
        problems.append(Problem("max_trial_days", "must be a positive integer, not %s" % _show(max_trial_days)))
    return problems


def normalise(app):
    """The canonical form of a valid manifest: canonical CIDR text, optional lists present."""
    app = copy.deepcopy(app)
    for key in ("services", "flows", "approvals"):
        app.setdefault(key, [])
    app["bastion_cidrs"] = [str(ipaddress.ip_network(c)) for c in app["bastion_cidrs"]]
    for zone in app["zones"]:
        zone["cidr"] = str(ipaddress.ip_network(zone["cidr"]))
    for server in app["servers"]:
        server.setdefault("volumes", [])
    for service in app["services"]:
        service["sources"] = [str(ipaddress.ip_network(c)) for c in service["sources"]]
    return app


def _canonical(app):
    try:
        return normalise(app)
    except (KeyError, TypeError, ValueError, AttributeError):
        return app


def digest(app):
    """sha256 of the canonical JSON of a (normalised) manifest; approvals are bound to it."""
    text = json.dumps(app, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate(manifest, flavors=None, reserved_cidrs=DEFAULT_RESERVED_CIDRS, cloud_reserved_cidrs=(),
             occupied_cidrs=(), max_trial_days=DEFAULT_MAX_TRIAL_DAYS, policy=None):
    """Check a manifest (the value of the ``application`` variable) under the cloud's ``policy`` (None: defaults).

    Returns ``(normalised, problems)``: ``problems`` is every problem as ``path: reason`` text (empty when
    valid), ``normalised`` is None unless the manifest is valid.
    """
    flavors = DEFAULT_FLAVORS if flavors is None else flavors
    option_errors = options_problems(flavors, reserved_cidrs, cloud_reserved_cidrs, occupied_cidrs, max_trial_days)
    option_errors += resolve_policy(plain(policy))[1]
    if option_errors:
        return None, _texts(option_errors)
    document = {ROOT: plain(manifest)} if manifest is not None else {}
    problems = schema_problems(document)
    problems += semantic_problems(document.get(ROOT), flavors, reserved_cidrs, cloud_reserved_cidrs,
                                  occupied_cidrs, max_trial_days, policy=plain(policy))
    if problems:
        return None, _texts(problems)
    return normalise(document[ROOT]), []


def _texts(problems):
    seen = []
    for problem in problems:
        text = str(problem)
        if text not in seen:
            seen.append(text)
    return seen


def applicant_conditions(manifest, records=None, today=None):
    """Unmet 上线申请 conditions, as ``path: reason`` texts (empty when all are met).

    ``records`` are the evidence records of stage ``approval`` for this application, oldest first (as
    ``Ledger.records(application=..., stage="approval")`` yields them).  Pass None before the application
    is submitted: the approval condition is then not evaluated.  The manifest should be valid; the
    function does not fail on one that is not.
    """
    today = today or datetime.date.today()
    app = plain(manifest) if isinstance(manifest, dict) else {}
    unmet = []
    people = dict((p["id"], p) for dummy, p in _dicts(app.get("contacts")) if isinstance(p.get("id"), str))
    responsible = app.get("responsible") if isinstance(app.get("responsible"), dict) else {}
    level = _get(app, "mlps", "level")
    level = level if _json_type(level) == "integer" and 1 <= level <= 4 else None
    duties = ["security_officer", "system_admin"] + (["auditor"] if level and level >= 3 else [])
    for duty in duties:
        dpath = "%s.responsible.%s" % (ROOT, duty)
        person = people.get(responsible.get(duty)) if isinstance(responsible.get(duty), str) else None
        if person is None:
            unmet.append("%s: no responsible person named (责任人 required before the application)" % dpath)
            continue
        name = person.get("name") if isinstance(person.get("name"), str) else ""
        if name.strip().lower() in PLACEHOLDER_NAMES or not name.strip():
            unmet.append("%s: %s is a placeholder, not a person's name" % (dpath, _show(name)))
        if not (person.get("phone") or person.get("email")):
            unmet.append("%s: the responsible person %s has neither phone nor email" % (dpath, name))
    if level is None:
        unmet.append("%s.mlps.level: the 等保 protection level (1-4) is not given" % ROOT)
    grading = _get(app, "mlps", "grading") if isinstance(_get(app, "mlps", "grading"), dict) else None
    gpath = "%s.mlps.grading" % ROOT
    if grading is None or not isinstance(grading.get("date"), str) or not _is_date(grading["date"]):
        unmet.append("%s.date: the level is not graded (定级 date missing)" % gpath)
    elif _date(grading["date"]) > today:
        unmet.append("%s.date: grading date %s is in the future" % (gpath, grading["date"]))
    if level and level >= 2:
        for key, what in (("report_ref", "定级报告 grading report"), ("expert_review_ref", "专家评审意见 expert review")):
            if not (grading and isinstance(grading.get(key), str) and grading[key].strip()):
                unmet.append("%s.%s: level %d needs a grading record: %s reference missing" % (gpath, key, level, what))
    if not isinstance(app.get("description"), str) or not app.get("description", "").strip():
        unmet.append("%s.description: the system description is missing" % ROOT)
    if not _dicts(app.get("servers")):
        unmet.append("%s.servers: no resource needs declared" % ROOT)
    if records is not None:
        unmet.extend(_approval_unmet(app, records))
    return unmet


def _approval_unmet(app, records):
    """The cloud management unit's approval (审批) must be the latest word in the ledger, for this manifest."""
    app = app if isinstance(app, dict) else {}
    records = [r for r in (records if isinstance(records, (list, tuple)) else list(records or ()))
               if isinstance(r, dict) and r.get("stage") == "approval"
               and r.get("kind", "approval") == "approval"
               and (_get(r, "details", "subject") or "application") == "application"
               and r.get("application") in (None, app.get("id"))]
    apath = "%s (evidence stage 'approval')" % ROOT
    if not records:
        return ["%s: no approval by the cloud management unit is recorded in the evidence ledger" % apath]
    latest = records[-1]
    seq = latest.get("seq")
    if latest.get("result") != "pass":
        return ["%s: the latest approval record (seq %s) has result %s, not pass: %s" % (
            apath, seq, _show(latest.get("result")), latest.get("summary", ""))]
    details = latest.get("details") if isinstance(latest.get("details"), dict) else {}
    approved = details.get("manifest_sha256")
    if approved:
        current = digest(_canonical(app))
        if approved != current:
            return ["%s: the approval record (seq %s) approved manifest %s, but the manifest now is %s; "
                    "the changed manifest needs a new approval" % (apath, seq, approved[:12], current[:12])]
    return []


def check_request(params, records=None):
    """The result of one manifest_validate call (module or action plugin): plain data, never raises.

    ``params`` are the module options; ``records`` the ledger's approval records when the gate needs them.
    """
    flavors = params.get("flavors")
    normalised, problems = validate(
        params.get("manifest"),
        flavors=DEFAULT_FLAVORS if flavors is None else flavors,
        reserved_cidrs=params.get("reserved_cidrs", DEFAULT_RESERVED_CIDRS),
        cloud_reserved_cidrs=params.get("cloud_reserved_cidrs") or (),
        occupied_cidrs=params.get("occupied_cidrs") or (),
        max_trial_days=params.get("max_trial_days", DEFAULT_MAX_TRIAL_DAYS),
        policy=params.get("policy"),
    )
    gate = params.get("gate") or "none"
    unmet = []
    if gate != "none":
        unmet = applicant_conditions(normalised or params.get("manifest"), records if gate == "allocation" else None)
    result = {
        "changed": False,
        "valid": not problems,
        "problems": problems,
        "unmet_conditions": unmet,
        "manifest": normalised or {},
        "manifest_sha256": digest(normalised) if normalised else "",
        "needs": resource_needs(normalised, flavors or DEFAULT_FLAVORS) if normalised else {},
        "responsible": responsible_persons(normalised) if normalised else {},
        "derived": derived(normalised) if normalised else {},
    }
    parts = []
    if problems:
        parts.append("the application manifest has %d problem(s):\n- %s" % (len(problems), "\n- ".join(problems)))
    if unmet:
        parts.append("%d applicant condition(s) (上线申请条件) unmet:\n- %s" % (len(unmet), "\n- ".join(unmet)))
    if parts:
        result["failed"] = True
        result["msg"] = "\n".join(parts)
    else:
        result["msg"] = "manifest %s is valid%s" % (normalised["id"], "" if gate == "none" else
                                                    "; applicant conditions (%s) met" % gate)
    return result
