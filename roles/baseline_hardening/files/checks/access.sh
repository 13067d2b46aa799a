# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.2 访问控制 access control (level 2: 7.1.4.2). Helpers and conventions: lib.sh.

check_8_1_4_2_a_01() {
  x=$(awk -F: '$7!~/(nologin|false|sync|shutdown|halt)$/{print $1}' /etc/passwd | not_in "$MLPS_LOGIN_ACCOUNTS" | tr '\n' ' ')
  echo "undeclared login accounts: ${x:-none}"; [ -z "$x" ]
}

check_8_1_4_2_b_01() {
  x=$(awk -F: -v list="$MLPS_DEFAULT_ACCOUNTS" 'BEGIN {n = split(list, w, " "); for (i = 1; i <= n; i++) d[w[i]] = 1}
      NR==FNR{p[$1]=$2;next} ($1 in d) && ($7!~/(nologin|false)$/ || p[$1]!~/^[!*]/){print $1}' /etc/shadow /etc/passwd | tr '\n' ' ')
  echo "usable default accounts: ${x:-none}"; [ -z "$x" ]
}

check_8_1_4_2_b_02() {
  r=$(sshd_eff permitrootlogin); echo "permitrootlogin=$r"; [ "$r" = no ]
}

check_8_1_4_2_b_03() {
  x=$(awk -F: '$1~/^(debian|ubuntu|admin|cloud-user|openeuler|centos|rocky|kylin|uos)$/ && $2!~/^[!*]/{print $1}' /etc/shadow | tr '\n' ' ')
  r=$(awk -F: '$1=="root"{print ($2=="" ? "empty" : ($2~/^[!*]/ ? "locked" : "set"))}' /etc/shadow)
  echo "root password: $r; cloud users with a password: ${x:-none}"; [ -z "$x" ] && [ "$r" != empty ]
}

check_8_1_4_2_c_01() {
  x=$(awk -F: 'NR==FNR{p[$1]=$2;next} $3<1000 && $1!~/^(root|sync|shutdown|halt)$/ && ($7!~/(nologin|false)$/ || p[$1]!~/^[!*]/){print $1}' /etc/shadow /etc/passwd |
      not_in "$MLPS_ANSIBLE_USER" | tr '\n' ' ')
  echo "usable system accounts: ${x:-none}"; [ -z "$x" ]
}

check_8_1_4_2_c_02() {
  i=$(useradd -D | awk -F= '$1=="INACTIVE"{print $2}')
  u=$(awk -F: '$2~/^\$/ && ($7=="" || $7<0){print $1}' /etc/shadow | not_in "$MLPS_ANSIBLE_USER $MLPS_BREAKGLASS_USER" | tr '\n' ' ')
  echo "INACTIVE=$i; accounts without inactivity limit: ${u:-none}"; [ "${i:--1}" -ge 0 ] && [ "$i" -le "$MLPS_INACTIVE_DAYS" ] && [ -z "$u" ]
}

check_8_1_4_2_c_03() {
  d=$(cat /home/*/.ssh/authorized_keys /root/.ssh/authorized_keys 2>/dev/null | awk '$0!~/^#/ && NF{for(i=1;i<=NF;i++) if($i ~ /^AAAA/){print $i; break}}' | sort | uniq -d | wc -l)
  r=$(grep -cE '^[^#]' /root/.ssh/authorized_keys 2>/dev/null)
  echo "keys in more than one account: $d; root authorized_keys entries: ${r:-0}"; [ "$d" = 0 ] && [ "${r:-0}" = 0 ]
}

check_8_1_4_2_d_01() {
  n=$(getent passwd "$MLPS_SYSADMIN" "$MLPS_SECADMIN" "$MLPS_AUDADMIN" | wc -l); echo "admin accounts present: $n of 3"; [ "$n" = 3 ]
}

check_8_1_4_2_d_02() {
  test -f /etc/sudoers.d/50-mlps-roles || { echo "no role sudoers file"; exit 1; }
  visudo -cqf /etc/sudoers.d/50-mlps-roles || { echo "role sudoers file invalid"; exit 1; }
  a=$(for u in "$MLPS_SECADMIN" "$MLPS_AUDADMIN"; do sudo -l -U "$u" 2>/dev/null | grep -qE '\) (NOPASSWD: )?ALL$' && echo "$u"; done | tr '\n' ' ')
  echo "role file valid; unrestricted: ${a:-none}"; [ -z "$a" ]
}

check_8_1_4_2_d_03() {
  c=$(cat /etc/sudoers /etc/sudoers.d/* 2>/dev/null | grep -vE '^\s*#')
  p=$(grep -cE '^\s*Defaults.*\buse_pty' <<<"$c"); l=$(grep -cE '^\s*Defaults.*logfile=' <<<"$c"); t=$(grep -oE 'timestamp_timeout=[0-9]+' <<<"$c" | tail -1 | cut -d= -f2)
  n=$(grep -E 'NOPASSWD' <<<"$c" | grep -cvE "^\s*$MLPS_ANSIBLE_USER\s")
  echo "use_pty=$p logfile=$l timestamp_timeout=${t:-default} other NOPASSWD rules=$n"
  [ "$p" -ge 1 ] && [ "$l" -ge 1 ] && [ -n "$t" ] && [ "$t" -le 5 ] && [ "$n" = 0 ]
}

check_8_1_4_2_d_04() {
  l=$(grep -E '^\s*auth\s+required\s+pam_wheel\.so' /etc/pam.d/su | head -1); echo "${l:-no pam_wheel line}"; [ -n "$l" ]
}

check_8_1_4_2_d_05() {
  u=$(wsv UMASK </etc/login.defs); s=$(bash -lc umask 2>/dev/null </dev/null | tail -1)
  echo "UMASK=${u:-unset} login shell umask=$s"; [ "$u" = "$MLPS_UMASK" ] && [ "$s" = "0$MLPS_UMASK" ]
}

check_8_1_4_2_d_06() {
  h=$(wsv HOME_MODE </etc/login.defs); x=$(find /home -mindepth 1 -maxdepth 1 -type d -perm /027 2>/dev/null | tr '\n' ' ')
  echo "HOME_MODE=${h:-unset}; too open: ${x:-none}"; [ "$h" = 0750 ] && [ -z "$x" ]
}

# MLPS_SHADOW_MODE as stat prints it (640 on Debian, 0 on EL)
check_8_1_4_2_d_07() {
  s=$(stat -c '%a %U:%G' /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/ssh/sshd_config | tr '\n' ' ')
  k=$(find /etc/ssh -name 'ssh_host_*_key' -perm /077 | tr '\n' ' '); d=$(find /etc/ssh/sshd_config.d -type f -perm /077 2>/dev/null | tr '\n' ' ')
  echo "modes: $s; open host keys: ${k:-none}; open drop-ins: ${d:-none}"
  shadow="$MLPS_SHADOW_MODE root:$MLPS_SHADOW_GROUP"
  [ "$s" = "644 root:root 644 root:root $shadow $shadow 600 root:root " ] && [ -z "$k$d" ]
}

check_8_1_4_2_d_08() {
  s=$(stat -c '%a' /etc/crontab /etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly 2>/dev/null | tr '\n' ' ')
  a=$(find /etc/cron.allow /etc/at.allow -maxdepth 0 2>/dev/null | wc -l); echo "modes: $s; allow files: $a"
  [ "$s" = "600 700 700 700 700 700 " ] && [ "$a" = 2 ]
}

check_8_1_4_2_d_09() {
  x=$(timeout 100 find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o \( -type f -perm -0002 -o -type d -perm -0002 ! -perm -1000 -o -nouser -o -nogroup \) -print 2>/dev/null | head -5 | tr '\n' ' ')
  echo "found: ${x:-none}"; [ -z "$x" ]
}

check_8_1_4_2_e_01() {
  echo "per-role sudo rules in /etc/sudoers.d/50-mlps-roles: $(test -f /etc/sudoers.d/50-mlps-roles && echo present || echo absent); show the policy document and change records"; exit 2
}

check_8_1_4_2_g_01() {
  a=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null); s=$(getenforce 2>/dev/null)
  echo "apparmor=${a:-absent} selinux=${s:-absent}"; [ "$a" = Y ] || [ "$s" = Enforcing ] || exit 1; exit 2
}
