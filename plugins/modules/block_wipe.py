#!/usr/bin/python
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: block_wipe
short_description: Overwrite and verify a block device (数据清除, NIST SP 800-88 Clear)
version_added: 1.0.0
description:
  - Overwrites a whole block device with zeros or a keyed pseudo-random stream, O(passes) times, with direct I/O
    (C(O_DIRECT), C(O_EXCL)) in large page-aligned blocks, four requests in flight, and C(fsync) at the end of
    each pass, then reads it back (also direct, four in flight) and checks that it holds exactly what the last pass
    wrote, so that no prior content remains (NIST SP 800-88 Rev. 1 I(Clear) with verification).
  - Reports the write throughput (MB/s, 10^6 bytes per second), the durations and a C(certificate) mapping with
    the NIST SP 800-88 certificate-of-sanitization fields, ready for M(govcloud.lifecycle.evidence_record)
    with O(govcloud.lifecycle.evidence_record#module:kind=wipe).
  - Refuses, with a message naming every reason, a path that is not a block device, a device that is mounted
    (itself, one of its partitions or a device stacked on it, per C(/proc/self/mountinfo)), a device in use as swap,
    a device held by device-mapper/md/LVM, and the disk holding the root file system (C(/)) or its parent disk.
    The device is also opened with C(O_EXCL), which the kernel refuses for a mounted or otherwise claimed device.
  - Runs on the target host. Inside a container whose root is an overlay the root disk is not visible as a block
    device; the mount, swap, holder and C(O_EXCL) checks still apply.
extends_documentation_fragment:
  - govcloud.lifecycle._attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Runs every refusal check and reports device, size and passes without writing. With O(skip_if_clear=true)
        it also reads the device to predict whether a wipe would happen.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
  idempotent:
    support: partial
    details:
      - A wipe always changes the device. Its desired state is a device with no prior content, verified. With
        O(skip_if_clear=true) (zero pattern only) a device that already reads as all zeros (full read) is reported
        unchanged and not written again; the completion record itself is kept on the controller in the evidence
        ledger, never on the device. A random pass cannot be recognised afterwards, so it is always rewritten.
options:
  device:
    description:
      - Block device to wipe, e.g. V(/dev/vdb) or a stable symlink such as V(/dev/disk/by-id/virtio-DATA1);
        symlinks are resolved.
    type: path
    required: true
  pattern:
    description:
      - What each pass writes. V(zero) writes zeros. V(random) writes a pseudo-random stream (SHAKE-256 keyed with
        a fresh 256-bit key per pass, kept only in memory), which verification re-generates to compare.
    type: str
    choices: [zero, random]
    default: zero
  passes:
    description:
      - Number of overwrite passes. NIST SP 800-88 Clear needs one; more are allowed for local policy.
    type: int
    default: 1
  block_size:
    description:
      - Bytes per write and read, a multiple of 4096 between 4096 and 67108864.
    type: int
    default: 4194304
  verify:
    description:
      - V(full) reads the whole device back and compares every byte with the last pass.
      - V(sample) reads O(verify_samples) regions of 64 KiB (at most O(block_size)) at random 4 KiB-aligned
        offsets plus the first and the last region. If a fraction p of the device kept old data, the chance that
        no sample hits it is at most (1 - p)^N for N samples (e.g. 1 % left, 1000 samples - 0.004 %).
    type: str
    choices: [full, sample]
    default: full
  verify_samples:
    description:
      - Number of random regions read with O(verify=sample).
    type: int
    default: 1000
  skip_if_clear:
    description:
      - Read the device first (full read) and do nothing if it is already all zeros (result unchanged,
        C(skipped=true)). Only with O(pattern=zero).
    type: bool
    default: false
seealso:
  - module: govcloud.lifecycle.evidence_record
notes:
  - Needs root (opening the device for writing).
  - Clear addresses the user-addressable storage only. Remapped sectors of SSDs and thin-provisioned cloud volumes
    need the provider's Purge (see docs/decommission.md).
"""

EXAMPLES = r"""
- name: Clear the data volume before it is deleted (数据清除)
  govcloud.lifecycle.block_wipe:
    device: /dev/disk/by-id/virtio-DATA1
  register: wipe

- name: Record the certificate of sanitization
  govcloud.lifecycle.evidence_record:
    application: tax-portal
    kind: wipe
    actor: ops-zhang
    targets: ["{{ inventory_hostname }}:{{ wipe.device }}"]
    result: "{{ wipe.verification.result }}"
    details: "{{ wipe.certificate | combine({'validator': 'auditor-li'}) }}"

- name: Two random passes, sampled verification, rerun-safe
  govcloud.lifecycle.block_wipe:
    device: /dev/vdc
    pattern: random
    passes: 2
    verify: sample
    verify_samples: 2000

- name: Zero pass that a rerun skips when the device is already clear
  govcloud.lifecycle.block_wipe:
    device: /dev/vdb
    skip_if_clear: true
"""

RETURN = r"""
device:
  description: The resolved device path.
  returned: always
  type: str
  sample: /dev/vdb
size_bytes:
  description: Size of the device in bytes.
  returned: success
  type: int
  sample: 67108864
passes:
  description: Passes that were (or in check mode would be) written; 0 when skipped.
  returned: success
  type: int
  sample: 1
pattern:
  description: Pattern of the passes.
  returned: success
  type: str
  sample: zero
skipped:
  description:
    - True when O(skip_if_clear) found the device already all zeros and nothing was written.
    - Ansible treats C(skipped) as its own result key. A registered result shows the task as skipped when it is
      true and lacks the key when it is false, so test it with C(result.skipped | default(false)).
  returned: success
  type: bool
  sample: false
verified:
  description: True when the read-back matched the last pass (or the device was found all zeros).
  returned: success, not in check mode
  type: bool
  sample: true
verification:
  description: The read-back check.
  returned: success, not in check mode
  type: dict
  contains:
    method:
      description: V(full) or V(sample).
      type: str
      sample: full
    result:
      description: V(pass) or V(fail).
      type: str
      sample: pass
    bytes_checked:
      description: Bytes read back and compared.
      type: int
      sample: 67108864
    mismatched_bytes:
      description: Bytes that differed from the last pass.
      type: int
      sample: 0
    first_mismatch_offset:
      description: Offset of the first differing byte, or null.
      type: int
      sample: null
    samples:
      description: Regions read with V(sample), else null.
      type: int
      sample: null
    seconds:
      description: Duration of the read-back.
      type: float
      sample: 0.21
bytes_written:
  description: Bytes written over all passes.
  returned: success, not in check mode
  type: int
  sample: 67108864
write_seconds:
  description: Duration of the passes (writes and the final fsync).
  returned: success, not in check mode
  type: float
  sample: 0.35
throughput_mb_s:
  description: Write throughput in MB/s (10^6 bytes per second).
  returned: success, not in check mode
  type: float
  sample: 191.7
direct_io:
  description: Whether the writes bypassed the page cache (O_DIRECT).
  returned: success, not in check mode
  type: bool
  sample: true
certificate:
  description:
    - NIST SP 800-88 Rev. 1 certificate-of-sanitization fields, the O(govcloud.lifecycle.evidence_record#module:details)
      of a V(wipe) record; operator and validator are added by the caller (C(actor), C(validator)).
  returned: success, not in check mode
  type: dict
  sample:
    media: "/dev/vdb (vdb, 67108864 bytes, block device)"
    method: Clear
    technique: "overwrite, 1 pass of zeros"
    tool: govcloud.lifecycle.block_wipe
    tool_version: 1.0.0
    verification: "full read-back: pass (67108864 bytes checked, 0 mismatched)"
    verification_result: pass
    date: "2026-11-26"
"""

import datetime

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.govcloud.lifecycle.plugins.module_utils import _wipe


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _certificate(real, name, size, pattern, passes, check, skipped):
    what = "zeros" if pattern == "zero" else "keyed pseudo-random data"
    technique = ("none needed: device found all zeros" if skipped
                 else "overwrite, %d pass%s of %s" % (passes, "" if passes == 1 else "es", what))
    return {
        "media": "%s (%s, %d bytes, block device)" % (real, name, size),
        "method": "Clear",
        "technique": technique,
        "tool": _wipe.TOOL,
        "tool_version": _wipe.TOOL_VERSION,
        "verification": "%s read-back: %s (%d bytes checked, %d mismatched)" % (
            check["method"], check["result"], check["bytes_checked"], check["mismatched_bytes"]),
        "verification_result": check["result"],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            device=dict(type="path", required=True),
            pattern=dict(type="str", choices=list(_wipe.PATTERNS), default="zero"),
            passes=dict(type="int", default=1, no_log=False),
            block_size=dict(type="int", default=_wipe.DEFAULT_BLOCK_SIZE),
            verify=dict(type="str", choices=list(_wipe.VERIFY_MODES), default="full"),
            verify_samples=dict(type="int", default=1000),
            skip_if_clear=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not 1 <= p["passes"] <= _wipe.MAX_PASSES:
        module.fail_json(msg="passes: must be between 1 and %d, got %d" % (_wipe.MAX_PASSES, p["passes"]))
    bs = p["block_size"]
    if bs % _wipe.MIN_BLOCK_SIZE or not _wipe.MIN_BLOCK_SIZE <= bs <= _wipe.MAX_BLOCK_SIZE:
        module.fail_json(msg="block_size: must be a multiple of %d between %d and %d, got %d"
                         % (_wipe.MIN_BLOCK_SIZE, _wipe.MIN_BLOCK_SIZE, _wipe.MAX_BLOCK_SIZE, bs))
    if p["verify_samples"] < 1:
        module.fail_json(msg="verify_samples: must be at least 1, got %d" % p["verify_samples"])
    if p["skip_if_clear"] and p["pattern"] != "zero":
        module.fail_json(msg="skip_if_clear: only with pattern=zero (a random pass cannot be recognised afterwards)")

    try:
        real, devno = _wipe.resolve_block_device(p["device"])
    except _wipe.WipeError as e:
        module.fail_json(msg=str(e), device=p["device"])
    sysblock = _wipe.SysBlock()
    reasons = _wipe.refusals(devno, _wipe.parse_mountinfo(_read("/proc/self/mountinfo")),
                             _wipe.parse_swaps(_read("/proc/swaps")), sysblock)
    if reasons:
        module.fail_json(msg="refusing to wipe %s: %s" % (p["device"], "; ".join(reasons)), device=real,
                         reasons=reasons)
    try:
        size = _wipe.device_size(real)
        result = dict(changed=True, device=real, size_bytes=size, passes=p["passes"], pattern=p["pattern"],
                      skipped=False)
        if p["skip_if_clear"]:
            check = _wipe.verify(real, size, "zero", b"", "full", block_size=bs)
            if check["result"] == "pass":
                result.update(changed=False, skipped=True, passes=0, verified=True, verification=check,
                              certificate=_certificate(real, sysblock.name(devno), size, "zero", 0, check, True))
                module.exit_json(**result)
        if module.check_mode:
            module.exit_json(**result)
        facts = _wipe.wipe(real, size, p["pattern"], p["passes"], p["verify"], p["verify_samples"], bs)
    except (_wipe.WipeError, OSError) as e:
        module.fail_json(msg=str(e), device=real)
    check = facts["verification"]
    result.update(facts, verified=check["result"] == "pass",
                  certificate=_certificate(real, sysblock.name(devno), size, p["pattern"], p["passes"], check, False))
    if not result["verified"]:
        msg = "verification failed on %s: %d of %d bytes checked differ from the last pass (first at offset %s); " \
              "prior content may remain" % (real, check["mismatched_bytes"], check["bytes_checked"],
                                            check["first_mismatch_offset"])
        module.fail_json(msg=msg, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
