# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.9 数据备份恢复 backup and recovery (level 2: 7.1.4.9). Helpers and conventions: lib.sh.

check_8_1_4_9_a_01() {
  if [ -z "$MLPS_BACKUP_UNITS" ]; then echo "no backup unit declared (baseline_hardening_backup_units): show backup job and restore drill records"; exit 2; fi
  read -ra units <<<"$MLPS_BACKUP_UNITS"
  x=$(for u in "${units[@]}"; do { systemctl is-enabled -q "$u" && [ "$(systemctl show -p Result --value "${u%.timer}.service")" = success ]; } || echo "$u"; done | tr '\n' ' ')
  echo "failing or disabled: ${x:-none}"; [ -z "$x" ]
}

check_8_1_4_9_b_01() {
  echo "show the backup repository configuration and the off-site/DR record"; exit 2
}

check_8_1_4_9_c_01() {
  echo "architecture item: attach the HA design"; exit 2
}
