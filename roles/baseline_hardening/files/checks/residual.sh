# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.10 剩余信息保护 residual information protection (level 2: 7.1.4.10). Helpers and conventions: lib.sh.

check_8_1_4_10_a_01() {
  o=$(for d in /home/*; do [ -d "$d" ] && ! id "${d##*/}" >/dev/null 2>&1 && echo "$d"; done | tr '\n' ' ')
  p=$(stat -c %a /etc/security/opasswd 2>/dev/null); h=$(grep -rhcE '^\s*(readonly\s+)?HISTSIZE=' /etc/profile.d/ 2>/dev/null | awk '{s+=$1} END {print s+0}')
  echo "orphan homes: ${o:-none}; opasswd ${p:-absent}; HISTSIZE set: ${h:-0}"; [ -z "$o" ] && [ "$p" = 600 ] && [ "${h:-0}" -ge 1 ]
}

check_8_1_4_10_a_02() {
  t=$(findmnt -no FSTYPE /tmp 2>/dev/null); s=$(swapon --noheadings --show=NAME 2>/dev/null | grep -v '^/dev/mapper/' | tr '\n' ' ')
  echo "/tmp ${t:-on /}; tmp.mount $(systemctl is-enabled tmp.mount 2>/dev/null); unencrypted swap: ${s:-none}"; [ "$t" = tmpfs ] && [ -z "$s" ]
}

check_8_1_4_10_b_01() {
  echo "recorded at decommission (stage sanitization) by the secure_decommission role"; exit 2
}
