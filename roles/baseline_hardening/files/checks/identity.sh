# shellcheck shell=bash
# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 8.1.4.1 身份鉴别 identification and authentication (level 2: 7.1.4.1). Helpers and conventions: lib.sh.

check_8_1_4_1_a_01() {
  d=$( { cut -d: -f1 /etc/passwd | sort | uniq -d; cut -d: -f3 /etc/passwd | sort | uniq -d; } | tr '\n' ' ')
  echo "duplicates: ${d:-none}"; [ -z "$d" ]
}

check_8_1_4_1_a_02() {
  d=$( { cut -d: -f1 /etc/group | sort | uniq -d; cut -d: -f3 /etc/group | sort | uniq -d; } | tr '\n' ' ')
  echo "duplicates: ${d:-none}"; [ -z "$d" ]
}

check_8_1_4_1_a_03() {
  x=$(awk -F: '$3==0{print $1}' /etc/passwd | tr '\n' ' '); echo "uid 0: $x"; [ "$x" = "root " ]
}

check_8_1_4_1_a_04() {
  e=$(awk -F: '$2==""{print $1}' /etc/shadow | tr '\n' ' ')
  n=$(grep -lE '^[^#]*nullok' /etc/pam.d/* 2>/dev/null | tr '\n' ' ')
  echo "empty passwords: ${e:-none}; nullok in: ${n:-none}"; [ -z "$e$n" ]
}

check_8_1_4_1_a_05() {
  c=$(cat /etc/security/pwquality.conf /etc/security/pwquality.conf.d/*.conf 2>/dev/null)
  ml=$(eqv minlen <<<"$c"); mc=$(eqv minclass <<<"$c"); uc=$(eqv usercheck <<<"$c"); dc=$(eqv dictcheck <<<"$c")
  efr=$(grep -cE '^\s*enforce_for_root' <<<"$c"); pm=$(grep -cE '^[^#]*pam_pwquality' "$MLPS_PAM_PASSWORD")
  echo "minlen=${ml:-unset} minclass=${mc:-unset} usercheck=${uc:-1} dictcheck=${dc:-1} enforce_for_root=$efr pam_pwquality=$pm"
  [ "${ml:-0}" -ge "$MLPS_PW_MINLEN" ] && [ "${mc:-0}" -ge "$MLPS_PW_MINCLASS" ] &&
    [ "${uc:-1}" != 0 ] && [ "${dc:-1}" != 0 ] && [ "$efr" -ge 1 ] && [ "$pm" -ge 1 ]
}

# the Ansible and break-glass accounts are exempt from ageing (tasks/identity.yml)
check_8_1_4_1_a_06() {
  m=$(wsv PASS_MAX_DAYS </etc/login.defs)
  u=$(awk -F: -v max="$MLPS_PW_MAX_DAYS" '$2~/^\$/ && ($5=="" || $5>max){print $1}' /etc/shadow |
      not_in "$MLPS_ANSIBLE_USER $MLPS_BREAKGLASS_USER" | tr '\n' ' ')
  echo "PASS_MAX_DAYS=${m:-unset}; accounts over limit: ${u:-none}"
  [ -n "$m" ] && [ "$m" -le "$MLPS_PW_MAX_DAYS" ] && [ -z "$u" ]
}

check_8_1_4_1_a_07() {
  mi=$(wsv PASS_MIN_DAYS </etc/login.defs); wa=$(wsv PASS_WARN_AGE </etc/login.defs)
  echo "PASS_MIN_DAYS=${mi:-unset} PASS_WARN_AGE=${wa:-unset}"
  [ "${mi:-0}" -ge "$MLPS_PW_MIN_DAYS" ] && [ "${wa:-0}" -ge "$MLPS_PW_WARN_AGE" ]
}

check_8_1_4_1_a_08() {
  r=$(grep -hoE '^[^#]*pam_pwhistory\.so.*remember=[0-9]+' "$MLPS_PAM_PASSWORD" | grep -oE '[0-9]+$' | head -1)
  echo "remember=${r:-unset}"; [ "${r:-0}" -ge "$MLPS_PW_REMEMBER" ]
}

check_8_1_4_1_a_09() {
  e=$(wsv ENCRYPT_METHOD </etc/login.defs); w=$(awk -F: '$2~/^\$(1|2a|5)\$/{print $1}' /etc/shadow | tr '\n' ' ')
  echo "ENCRYPT_METHOD=${e:-unset}; weak hashes: ${w:-none}"
  [ "$e" = "$MLPS_ENCRYPT_METHOD" ] && [ -z "$w" ]
}

check_8_1_4_1_b_01() {
  c=$(cat /etc/security/faillock.conf 2>/dev/null); d=$(eqv deny <<<"$c"); u=$(eqv unlock_time <<<"$c"); i=$(eqv fail_interval <<<"$c")
  a=$(grep -cE '^[^#]*pam_faillock\.so' "$MLPS_PAM_AUTH"); ac=$(grep -cE '^[^#]*pam_faillock\.so' "$MLPS_PAM_ACCOUNT")
  echo "deny=${d:-unset} fail_interval=${i:-unset} unlock_time=${u:-unset} auth lines=$a account lines=$ac"
  [ -n "$d" ] && [ "$d" -ge 1 ] && [ "$d" -le "$MLPS_FAILLOCK_DENY" ] && [ "${u:-0}" -ge 1 ] && [ "$a" -ge 2 ] && [ "$ac" -ge 1 ]
}

check_8_1_4_1_b_02() {
  c=$(cat /etc/security/faillock.conf 2>/dev/null); e=$(grep -cE '^\s*even_deny_root' <<<"$c"); r=$(eqv root_unlock_time <<<"$c")
  echo "even_deny_root=$e root_unlock_time=${r:-unset}"
  if [ "$MLPS_FAILLOCK_DENY_ROOT" = yes ]; then [ "$e" -ge 1 ] && [ -n "$r" ]; else [ "$e" = 0 ]; fi
}

check_8_1_4_1_b_03() {
  t=$(grep -rhoE '^\s*(readonly\s+)?TMOUT=[0-9]+' /etc/profile /etc/profile.d/ 2>/dev/null | grep -oE '[0-9]+$' | head -1)
  ro=$(grep -rhcE '^\s*readonly\s+TMOUT' /etc/profile.d/ 2>/dev/null | awk '{s+=$1} END {print s+0}')
  echo "TMOUT=${t:-unset} readonly=${ro:-0}"; [ -n "$t" ] && [ "$t" -ge 1 ] && [ "$t" -le "$MLPS_TMOUT" ] && [ "${ro:-0}" -ge 1 ]
}

check_8_1_4_1_b_04() {
  i=$(sshd_eff clientaliveinterval); c=$(sshd_eff clientalivecountmax); echo "clientaliveinterval=$i clientalivecountmax=$c"
  [ "${i:-0}" -ge 1 ] && [ "$i" -le "$MLPS_SSH_CLIENT_ALIVE_INTERVAL" ] && [ "${c:-99}" -le "$MLPS_SSH_CLIENT_ALIVE_COUNT_MAX" ]
}

check_8_1_4_1_b_05() {
  g=$(sshd_eff logingracetime); t=$(sshd_eff maxauthtries); echo "logingracetime=$g maxauthtries=$t"
  [ "${g:-0}" -ge 1 ] && [ "$g" -le "$MLPS_SSH_LOGIN_GRACE_TIME" ] && [ "${t:-99}" -le "$MLPS_SSH_MAX_AUTH_TRIES" ]
}

check_8_1_4_1_c_01() {
  v="$(sshd_eff permitemptypasswords) $(sshd_eff hostbasedauthentication) $(sshd_eff ignorerhosts) $(sshd_eff usepam) $(sshd_eff permituserenvironment)"
  echo "permitemptypasswords/hostbased/ignorerhosts/usepam/permituserenvironment: $v"; [ "$v" = "no no yes yes no" ]
}

check_8_1_4_1_c_02() {
  w=$(grep -E '^(ciphers|macs|kexalgorithms) ' <<<"$SSHD_T" | sed 's/[ ,]/\n/g' | grep -iE 'cbc|md5|sha1|arcfour|3des' | tr '\n' ' ')
  [ -n "$(sshd_eff ciphers)" ] || { echo "sshd -T failed"; exit 1; }
  echo "weak algorithms: ${w:-none}"; [ -z "$w" ]
}

check_8_1_4_1_c_03() {
  read -ra pkgs <<<"$MLPS_PLAINTEXT_PACKAGES"
  p=$(for x in "${pkgs[@]}"; do pkg_installed "$x" && echo "$x"; done | tr '\n' ' ')
  l=$(ss -Htlnu 2>/dev/null | awk '{print $5}' | grep -E ':(23|69|512|513|514)$' | tr '\n' ' ')
  echo "installed: ${p:-none}; listening: ${l:-none}"; [ -z "$p$l" ]
}

check_8_1_4_1_d_01() {
  if [ "$MLPS_BASTION" = yes ]; then echo "bastion (堡垒机) declared: attach the bastion's 2FA configuration as evidence"; exit 2; fi
  m=$(sshd -T -C "user=$MLPS_SYSADMIN,host=mlps-check,addr=127.0.0.1" 2>/dev/null | awk '$1=="authenticationmethods"{print $2}')
  echo "authenticationmethods for $MLPS_SYSADMIN: ${m:-unknown}"; [ -n "$m" ] && [ "$m" != any ]
}
