#!/usr/bin/env bash
# The main job (`make demo`): the life of the example application as far as the collection carries it today,
# against the local dev cloud, ending with the auditor report.  Every stage is the operator's own playbook,
# run exactly as docs/ describe; evidence goes to evidence/<app>/, the report to reports/<app>/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
inventory=${DEMO_INVENTORY:-inventories/example}
export ANSIBLE_CONFIG=$repo/ansible.cfg
mkdir -p .work/logs

step() { printf '\n=== %s\n' "$*"; }
play() { ansible-playbook -i "$inventory" "$@"; }

step "test bed: dev cloud (real OpenStack on 127.0.0.1)"
tools/devcloud/devcloud up

step "上线申请 application: check the manifest and the applicant conditions, record the application"
play playbooks/intake.yml

step "审批 approval: the cloud management unit approves this manifest"
play playbooks/approve.yml \
  -e govcloud_approval_approver="${DEMO_APPROVER:-江西省信息中心 云平台管理处}" \
  -e govcloud_approval_decision=approved \
  -e govcloud_approval_reference="${DEMO_APPROVAL_REF:-赣信云审〔2026〕101号}"

step "资源分配 resource allocation: tenant, accounts, quotas, network zones and security groups"
# The initial passwords are handed over in handover/<app>/credentials.vault.yml, encrypted with this
# password; the demo keeps one per checkout (.work, mode 0600), an operator keeps it in their secret store.
vault_pass=.work/demo/handover-vault-password
if [ ! -s "$vault_pass" ]; then
  mkdir -p "$(dirname "$vault_pass")"
  (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$vault_pass")
fi
GOVCLOUD_HANDOVER_VAULT_PASSWORD=$(cat "$vault_pass") play playbooks/onboard.yml

step "证据报告 auditor report: verify the chain, render HTML (zh-CN and en), JSON and OSCAL"
play playbooks/evidence_verify.yml
play playbooks/report.yml
play playbooks/report.yml -e govcloud_report_language=en

step "done: auditor report in reports/ (zh-CN) and reports/<app>/en/; evidence in evidence/; hand-over in handover/"
