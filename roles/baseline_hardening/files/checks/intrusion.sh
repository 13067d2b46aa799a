# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.4 入侵防范 intrusion prevention (level 2: 7.1.4.4). Helpers and conventions: lib.sh.

check_8_1_4_4_a_01() {
  read -ra pkgs <<<"$MLPS_REMOVE_PACKAGES"
  t=$(systemctl get-default); p=$(for x in "${pkgs[@]}"; do pkg_installed "$x" && echo "$x"; done | tr '\n' ' ')
  echo "default target $t; unneeded packages: ${p:-none}"; [ "$t" = multi-user.target ] && [ -z "$p" ]
}

check_8_1_4_4_b_01() {
  read -ra services <<<"$MLPS_DISABLE_SERVICES"
  x=$(for s in "${services[@]}"; do [ "$(systemctl is-enabled "$s" 2>/dev/null)" = enabled ] && echo "$s"; done | tr '\n' ' ')
  echo "enabled unneeded services: ${x:-none}"; [ -z "$x" ]
}

check_8_1_4_4_b_02() {
  x=$(ss -Htlnu 2>/dev/null | awk '{print $5}' | grep -vE '^(127\.|\[::1\]|\[?::ffff:127\.)' | sed 's/.*://' | sort -un | not_in "$MLPS_LISTEN_OK" | tr '\n' ' ')
  echo "undeclared listening ports: ${x:-none}"; [ -z "$x" ]
}

check_8_1_4_4_b_03() {
  p=$(nft list chain inet mlps input 2>/dev/null | grep -oE 'policy (drop|accept)'); e=$(systemctl is-enabled nftables 2>/dev/null)
  echo "inet mlps input: ${p:-absent}; nftables.service ${e:-absent}"; [ "$p" = "policy drop" ] && [ "$e" = enabled ]
}

check_8_1_4_4_b_04() {
  read -ra modules <<<"$MLPS_BLACKLIST_MODULES"
  m=$(for x in "${modules[@]}"; do grep -qsE "^\s*install\s+$x\s+/bin/(false|true)" /etc/modprobe.d/*.conf || echo "$x"; done | tr '\n' ' ')
  echo "modules still loadable: ${m:-none}"; [ -z "$m" ]
}

# MLPS_SYSCTL_NET: key=value words; keys this kernel does not have are left out
check_8_1_4_4_b_05() {
  bad=""
  read -ra settings <<<"$MLPS_SYSCTL_NET"
  for kv in "${settings[@]}"; do
    k=${kv%%=*}; v=${kv#*=}
    [ -e "/proc/sys/${k//.//}" ] || continue
    l=$(sysctl -n "$k"); f=$(cat /etc/sysctl.d/*.conf 2>/dev/null | eqv "$k")
    if [ "$l" != "$v" ] || [ "$f" != "$v" ]; then bad="$bad $k=$l"; fi
  done
  echo "off-value keys:${bad:- none}"; [ -z "$bad" ]
}

# kernel.*/fs.* belong to the host of a container: there only the persistent value counts
check_8_1_4_4_b_06() {
  bad=""
  read -ra settings <<<"$MLPS_SYSCTL_KERNEL"
  for kv in "${settings[@]}"; do
    k=${kv%%=*}; v=${kv#*=}
    [ -e "/proc/sys/${k//.//}" ] || continue
    f=$(cat /etc/sysctl.d/*.conf 2>/dev/null | eqv "$k"); l=$(sysctl -n "$k")
    if [ "$f" != "$v" ] || { ! in_container && [ "$l" != "$v" ]; }; then bad="$bad $k=$l/${f:-unset}"; fi
  done
  c=$(grep -rhcE '^\s*\*\s+hard\s+core\s+0' /etc/security/limits.conf /etc/security/limits.d/ 2>/dev/null | awk '{s+=$1} END {print s+0}')
  s=$(cat /etc/systemd/coredump.conf.d/*.conf 2>/dev/null | eqv Storage)
  echo "off-value keys (live/file):${bad:- none}; hard core 0: ${c:-0}; coredump Storage=${s:-unset}"; [ -z "$bad" ] && [ "${c:-0}" -ge 1 ] && [ "$s" = none ]
}

check_8_1_4_4_c_01() {
  r=$(nft list chain inet mlps input 2>/dev/null | grep -E "dport $MLPS_SSH_PORT "); g=$(sshd_eff allowgroups)
  o=$(grep -vE 'saddr' <<<"$r" | grep -c accept)
  echo "ssh rules: $(grep -c . <<<"$r") (without source limit: $o); allowgroups=${g:-none}"
  [ -n "$r" ] && [ "$o" = 0 ] && [ "$g" = "$MLPS_SSH_GROUP" ]
}

check_8_1_4_4_d_01() {
  echo "application scope: attach the application's input-validation test report"; exit 2
}

check_8_1_4_4_e_01() {
  if command -v apt-get >/dev/null; then s=$(grep -rhsE '^\s*(deb|URIs:).*security' /etc/apt/sources.list /etc/apt/sources.list.d/ | wc -l)
    n=$(apt-get -s -o Debug::NoLocking=1 upgrade 2>/dev/null | grep -cE '^Inst .*-security')
  else s=$(dnf -q repolist 2>/dev/null | wc -l); n=$(dnf -q updateinfo list --security 2>/dev/null | wc -l); fi
  echo "security sources: $s; pending security updates: $n (package lists of $(stat -c %y /var/lib/apt/lists 2>/dev/null | cut -d. -f1))"; [ "$s" -ge 1 ] && [ "$n" = 0 ]
}

check_8_1_4_4_f_01() {
  if [ -z "$MLPS_HIDS_SERVICES" ]; then echo "no HIDS agent declared (baseline_hardening_hids_services): show the platform's intrusion detection evidence"; exit 2; fi
  read -ra services <<<"$MLPS_HIDS_SERVICES"
  x=$(for s in "${services[@]}"; do systemctl is-active -q "$s" || echo "$s"; done | tr '\n' ' '); echo "inactive agents: ${x:-none}"; [ -z "$x" ]
}
