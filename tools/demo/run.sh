#!/usr/bin/env bash
# The main job (`make demo`): the life of the example application from the application to formal operation,
# against the local dev cloud (test hosts stand in for the servers its fake compute driver never boots), ending
# with the auditor report.  Every stage is the operator's own playbook,
# run exactly as docs/ describe; evidence goes to evidence/<app>/, the report to reports/<app>/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
inventory=${DEMO_INVENTORY:-inventories/example}
export ANSIBLE_CONFIG=$repo/ansible.cfg
mkdir -p .work/logs

step() { printf '\n=== %s\n' "$*"; }
# Intake pins the ledger's key id (docs/evidence.md); an operator's pin goes into their inventory's group_vars,
# the demo's into .work/demo (passed to every later run), so that the checkout's example inventory stays as committed.
export GOVCLOUD_EVIDENCE_KEY_PIN_DIR=$repo/.work/demo/pins
app=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["application"]["id"])' \
  "$inventory/group_vars/all/application.yml")
pinned() { pin=(); if [ -s "$GOVCLOUD_EVIDENCE_KEY_PIN_DIR/$app.yml" ]; then pin=(-e "@$GOVCLOUD_EVIDENCE_KEY_PIN_DIR/$app.yml"); fi; }
play() { pinned; ansible-playbook -i "$inventory" "${pin[@]}" "$@"; }

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
# every later stage that logs in as the application admin (trial) reads the same hand-over file
export GOVCLOUD_HANDOVER_VAULT_PASSWORD
GOVCLOUD_HANDOVER_VAULT_PASSWORD=$(cat "$vault_pass")
play playbooks/onboard.yml

step "test hosts standing in for the servers (nspawn containers; tools/demo/standins.py)"
tools/testhosts/testhosts image
standins=.work/demo
python3 tools/demo/standins.py "$inventory/group_vars/all/application.yml" "$standins"
new_hosts=$(cat "$standins/new_hosts")
if [ -n "$new_hosts" ]; then
  ansible-playbook -i "$standins/standins.yml" --limit "$new_hosts" tools/testhosts/ops-account.yml
fi
guests=(-i "$inventory" -i "$standins/standins.yml" -i "$standins/trial-hosts.yml")

step "系统部署 + 试运行 deployment and trial run: servers, volumes, trial exposure, log baseline on the guests"
# trial_in_formal_operation=skip: a rerun of the demo after the promotion leaves the formal servers formal
play -i "$standins/standins.yml" playbooks/trial.yml -e trial_in_formal_operation=skip \
  -e '{"trial_host_map": '"$(cat "$standins/host_map.json")"'}' \
  -e trial_inventory_file="$repo/$standins/trial-hosts.yml" -e '{"trial_log_hosts": ["10.77.0.1"]}'

step "安全加固 baseline hardening to GB/T 22239-2019 at the manifest's level"
pinned; ansible-playbook "${guests[@]}" "${pin[@]}" playbooks/harden.yml

step "安全测评 security assessment (automated): listeners, reachability, baseline audit, pending updates"
pinned; ansible-playbook "${guests[@]}" "${pin[@]}" playbooks/assess.yml

step "试运行结束, 安全测评, 等保测评 records: trial completed, the assessor's and the MLPS assessor's reports"
today=$(date -u +%F)
play playbooks/trial.yml -e trial_conclusion=completed -e trial_incidents=0 -e trial_in_formal_operation=skip
play playbooks/record_security_assessment.yml -e "govcloud_security_assessor_org=${DEMO_SA_ORG:-江西省信息安全测评中心}" \
  -e govcloud_security_report_number=JXSA-2026-101 -e "govcloud_security_date=$today" -e govcloud_security_conclusion=passed
play playbooks/record_mlps_assessment.yml -e "govcloud_mlps_assessor_org=${DEMO_MLPS_ORG:-江西神舟信息安全评估中心}" \
  -e govcloud_mlps_report_number=36010099000-26001-26-0101-01 -e "govcloud_mlps_date=$today" \
  -e govcloud_mlps_conclusion=basically_compliant -e govcloud_mlps_level=3
step "人工核查 manual checks: the example's attestations file (inventories/example/attestations.yml)"
play playbooks/record_attestations.yml

step "审批 the supervisor's approval the manifest names for going into operation"
play playbooks/approve.yml -e govcloud_approval_approver=王建国 -e govcloud_approval_decision=approved \
  -e govcloud_approval_subject=promotion -e "govcloud_approval_reference=赣自然资函〔2026〕58号"

step "正式运行 formal operation: the gate, then trial resources become formal"
play playbooks/promote.yml

step "备案 filing with the public security authority (due within 30 days of formal operation)"
play playbooks/record_filing.yml -e govcloud_filing_number=36010013001-26001 \
  -e "govcloud_filing_authority=${DEMO_FILING_AUTHORITY:-南昌市公安局网络安全保卫支队}" -e "govcloud_filing_date=$today"

step "证据报告 auditor report: verify the chain, render HTML (zh-CN and en), JSON and OSCAL"
play playbooks/evidence_verify.yml
play playbooks/report.yml -e govcloud_report_pdf=true
play playbooks/report.yml -e govcloud_report_language=en
# what an assessor checks first: each control row holds only its own records, no manual control is a gap
python3 tools/demo/check_report.py "reports/$app"
# the same record kinds citing the same clauses as the demo before the house redesign (issue 14), corrections
# named in tools/demo/record-corrections.yml
python3 tools/demo/compare_records.py check "evidence/$app/ledger.sqlite"

step "done: auditor report in reports/ (zh-CN) and reports/<app>/en/; evidence in evidence/; hand-over in handover/"
