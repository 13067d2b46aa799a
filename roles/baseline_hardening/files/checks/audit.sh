# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.3 安全审计 security audit (level 2: 7.1.4.3). Helpers and conventions: lib.sh. In a container the
# kernel audit belongs to the host: the checks read the rules files there, auditctl elsewhere.

check_8_1_4_3_a_01() {
  e=$(systemctl is-enabled auditd 2>/dev/null); g=ok
  if [ -f /etc/default/grub ]; then grep -rqs 'audit=1' /etc/default/grub /etc/default/grub.d/ || g=missing; fi
  if in_container; then echo "auditd $e (container: kernel audit belongs to the host); grub audit=1: $g"; [ "$e" = enabled ] && [ "$g" = ok ]
  else s=$(auditctl -s 2>/dev/null | awk '$1=="enabled"{print $2}'); a=$(systemctl is-active auditd)
    echo "auditd $e/$a, kernel audit enabled=${s:-?}; grub audit=1: $g"; [ "$e" = enabled ] && [ "$a" = active ] && [ "${s:-0}" -ge 1 ] && [ "$g" = ok ]; fi
}

check_8_1_4_3_a_02() {
  n=$(audit_rules | grep -cE '(-k |key=)(identity|scope)\b'); echo "identity/scope rules: $n ($(audit_source))"; [ "$n" -ge 7 ]
}

check_8_1_4_3_a_03() {
  n=$(audit_rules | grep -cE '(-k |key=)(logins|session|sudo_log_file|user_emulation)\b'); echo "login/session rules: $n ($(audit_source))"; [ "$n" -ge 6 ]
}

check_8_1_4_3_a_04() {
  n=$(audit_rules | grep -cE '(-k |key=)(time-change|system-locale)\b'); echo "time/locale rules: $n ($(audit_source))"; [ "$n" -ge 4 ]
}

check_8_1_4_3_a_05() {
  r=$(audit_rules)
  m=$(find / -xdev -perm /6000 -type f 2>/dev/null | while IFS= read -r f; do
        grep -qF "path=$f " <<<"$r " || grep -qF -- "-F path=$f -F perm=x" <<<"$r" || echo "$f"; done | tr '\n' ' ')
  d=$(grep -cE '(-k |key=)delete\b' <<<"$r"); echo "SUID/SGID without rule: ${m:-none}; delete rules: $d ($(audit_source))"; [ -z "$m" ] && [ "$d" -ge 1 ]
}

check_8_1_4_3_a_06() {
  n=$(audit_rules | grep -cE '(-k |key=)(kernel_modules|mounts)\b'); echo "module/mount rules: $n ($(audit_source))"; [ "$n" -ge 3 ]
}

check_8_1_4_3_a_07() {
  n=$(audit_rules | grep -cE '(-k |key=)(perm_mod|MAC-policy|auditconfig)\b'); echo "perm/MAC/auditconfig rules: $n ($(audit_source))"; [ "$n" -ge 3 ]
}

check_8_1_4_3_a_08() {
  e=$(systemctl is-enabled rsyslog 2>/dev/null); a=$(systemctl is-active rsyslog 2>/dev/null)
  s=$(cat /etc/systemd/journald.conf /etc/systemd/journald.conf.d/*.conf 2>/dev/null | eqv Storage)
  echo "rsyslog $e/$a; journald Storage=${s:-auto}; /var/log/journal $(test -d /var/log/journal && echo present || echo absent)"
  [ "$e" = enabled ] && [ "$a" = active ] && [ "$s" = persistent ]
}

check_8_1_4_3_b_01() {
  e=$(systemctl is-enabled chrony 2>/dev/null || systemctl is-enabled chronyd 2>/dev/null); m=""
  read -ra servers <<<"$MLPS_NTP_SERVERS"
  for s in "${servers[@]}"; do
    grep -rqsE "^\s*(server|pool)\s+$(ere_escape "$s")\b" /etc/chrony/ /etc/chrony.conf || m="$m $s"
  done
  # chronyd's own view over its socket: timedatectl asks timedated over D-Bus, which times out now and then
  # and would make the recorded value (and so the evidence record) differ between two identical runs.
  if systemctl is-active chrony chronyd 2>/dev/null | grep -qx active; then
    l=$(chronyc -n tracking 2>/dev/null | sed -n 's/^Leap status *: *//p')
    case "$l" in Normal) y=yes ;; "") y="unknown (chronyc gave no answer)" ;; *) y="no ($l)" ;; esac
  else y="no (chronyd not running)"; fi
  echo "chrony ${e:-absent}; missing servers:${m:- none}; synchronised: $y"
  [ "$e" = enabled ] && [ -z "$m" ]
}

check_8_1_4_3_b_02() {
  c=$(cat /etc/audit/auditd.conf 2>/dev/null); f=$(eqv log_format <<<"$c"); n=$(eqv name_format <<<"$c")
  echo "log_format=${f:-unset} name_format=${n:-unset}"; [ "$f" = ENRICHED ] && [ "$n" = HOSTNAME ]
}

check_8_1_4_3_c_01() {
  c=$(cat /etc/audit/auditd.conf 2>/dev/null); m=$(eqv max_log_file <<<"$c"); a=$(eqv max_log_file_action <<<"$c")
  echo "max_log_file=${m:-unset} max_log_file_action=${a:-unset}"; [ "${m:-0}" -ge "$MLPS_AUDIT_MAX_LOG_FILE" ] && [ "${a,,}" = keep_logs ]
}

check_8_1_4_3_c_02() {
  c=$(cat /etc/audit/auditd.conf 2>/dev/null)
  v="$(eqv space_left_action <<<"$c") $(eqv admin_space_left_action <<<"$c") $(eqv disk_full_action <<<"$c") $(eqv disk_error_action <<<"$c")"
  echo "space_left/admin_space_left/disk_full/disk_error actions: $v"; [ "${v^^}" = "$MLPS_AUDIT_SPACE_ACTIONS" ]
}

check_8_1_4_3_c_03() {
  if [ -z "$MLPS_LOG_HOSTS" ]; then echo "no log collector declared (baseline_hardening_log_hosts)"; exit 1; fi
  c=$(cat /etc/rsyslog.conf /etc/rsyslog.d/*.conf 2>/dev/null); m=""
  read -ra hosts <<<"$MLPS_LOG_HOSTS"
  for h in "${hosts[@]}"; do grep -qF "target=\"$h\"" <<<"$c" || m="$m $h"; done
  f=$(grep -cF 'File="/var/log/audit/audit.log"' <<<"$c")
  echo "collectors missing:${m:- none}; audit.log forwarded: $f"; [ -z "$m" ] && [ "$f" -ge 1 ]
}

check_8_1_4_3_c_04() {
  x=$(find /var/log -type f -perm /037 ! -name 'wtmp*' ! -name lastlog ! -name 'btmp*' 2>/dev/null | head -5 | tr '\n' ' ')
  a=$(stat -c %a /var/log/audit 2>/dev/null); echo "too open: ${x:-none}; /var/log/audit ${a:-absent}"
  [ -z "$x" ] && { [ -z "$a" ] || [ "$a" = 750 ] || [ "$a" = 700 ]; }
}

check_8_1_4_3_c_05() {
  r=$(grep -hE '^\s*rotate\s+[0-9]+' /etc/logrotate.d/rsyslog 2>/dev/null | awk '{print $2}' | sort -n | head -1)
  p=$(grep -hE '^\s*(daily|weekly|monthly)\b' /etc/logrotate.d/rsyslog 2>/dev/null | awk '{print $1}' | sort -u | tr '\n' ' ')
  j=$(cat /etc/systemd/journald.conf /etc/systemd/journald.conf.d/*.conf 2>/dev/null | eqv MaxRetentionSec)
  echo "rsyslog rotate=${r:-unset} period=${p:-unset}; journald MaxRetentionSec=${j:-unset}"
  [ "$p" = "weekly " ] && [ "${r:-0}" -ge "$MLPS_LOG_RETENTION_WEEKS" ] && { [ -z "$j" ] || [ "$j" = 0 ] || [ "$j" = 180d ] || [ "$j" = 6month ]; }
}

check_8_1_4_3_d_01() {
  # augenrules applies the -e of the rules.d files last, whatever file it is in
  l=$(cat /etc/audit/rules.d/*.rules 2>/dev/null | grep -E '^\s*-e\s+[0-9]' | tr '\n' ' ')
  if in_container; then echo "-e lines: ${l:-none} (container: kernel audit belongs to the host)"; [ "$l" = "-e 2 " ]
  else s=$(auditctl -s 2>/dev/null | awk '$1=="enabled"{print $2}'); echo "-e lines: ${l:-none}; kernel audit enabled=${s:-?}"; [ "$l" = "-e 2 " ] && [ "$s" = 2 ]; fi
}

check_8_1_4_3_d_02() {
  r=$(systemctl show auditd -p RefuseManualStop --value 2>/dev/null)
  t=$(find /sbin/auditctl /sbin/auditd /sbin/augenrules /sbin/ausearch /sbin/aureport -perm /022 2>/dev/null | tr '\n' ' ')
  c=$(find /etc/audit -type f -perm /037 2>/dev/null | tr '\n' ' ')
  echo "RefuseManualStop=${r:-?}; writable tools: ${t:-none}; open config: ${c:-none}"; [ "$r" = yes ] && [ -z "$t$c" ]
}
