# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.6 可信验证 trusted verification (level 2: 7.1.4.6). Helpers and conventions: lib.sh.

check_8_1_4_6_01() {
  d=$(find /var/lib/aide/aide.db /var/lib/aide/aide.db.gz -maxdepth 0 2>/dev/null | head -1)
  s=$( { systemctl is-enabled dailyaidecheck.timer 2>/dev/null | grep -qx enabled || test -x /etc/cron.daily/aide; } && echo yes || echo no)
  echo "aide $(command -v aide >/dev/null && echo installed || echo absent); database: ${d:-none}; daily check: $s"; [ -n "$d" ] && [ "$s" = yes ]
}

check_8_1_4_6_02() {
  echo "secure boot: $(mokutil --sb-state 2>/dev/null | head -1 || echo unknown); TPM: $(find /dev -maxdepth 1 -name 'tpm*' 2>/dev/null | sort | tr '\n' ' ')"; exit 2
}
