# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.7 数据完整性 data integrity and 8.1.4.8 数据保密性 data confidentiality (level 2: 7.1.4.7, 7.1.4.8).
# Helpers and conventions: lib.sh.

check_8_1_4_7_a_01() {
  l=$(ss -Htln 2>/dev/null | awk '{print $4}' | grep -E ':(21|23)$' | tr '\n' ' ')
  [ -n "$SSHD_T" ] || { echo "sshd -T failed"; exit 1; }
  w=$(grep -E '^(ciphers|macs|kexalgorithms) ' <<<"$SSHD_T" | sed 's/[ ,]/\n/g' | grep -ciE 'cbc|md5|sha1|arcfour|3des')
  echo "plaintext listeners: ${l:-none}; weak SSH algorithms: $w"; [ -z "$l" ] && [ "$w" = 0 ]
}

check_8_1_4_7_b_01() {
  echo "AIDE database: $(find /var/lib/aide -maxdepth 1 -name 'aide.db*' 2>/dev/null | sort | head -1); application data integrity: attach evidence"; exit 2
}

check_8_1_4_8_b_01() {
  if lsblk -no TYPE 2>/dev/null | grep -qx crypt; then echo "LUKS volume present"; exit 0; fi
  echo "no LUKS volume on the host: attach the cloud volume-encryption evidence"; exit 2
}
