# govcloud.lifecycle — the two commands: `make demo` (main job) and `make test` (whole suite).
# Every target is idempotent; slow products (venvs, test-host rootfs, VM image, dev-cloud venv)
# are cached under $(GOVCLOUD_CACHE), keyed on what they are built from.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export GOVCLOUD_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/govcloud-lifecycle
export DEVCLOUD_HOME ?= $(GOVCLOUD_CACHE)/devcloud
export TESTHOSTS_HOME ?= $(GOVCLOUD_CACHE)/testhosts
export OS_CLIENT_CONFIG_FILE ?= $(DEVCLOUD_HOME)/clouds.yaml
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Molecule reads its base config from .config/molecule/config.yml and must not try Galaxy.
export MOLECULE_NO_LOG ?= false

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# the venv's real path (it is a symlink into the cache): tools that check PATH compare resolved paths
ORIG_PATH := $(PATH)
export PATH = $(shell readlink -f $(VENV) 2>/dev/null || echo $(VENV))/bin:$(ORIG_PATH)
COLLECTION_LINK := .work/collections/ansible_collections/govcloud/lifecycle

.PHONY: help deps apt venv collection lint readmes changelog sanity ee units testbed-tests molecule benchmarks test demo clean scale-test boot-test guest-test

help:
	@echo "make demo   - set everything up and run the main job (example application, auditor report)"
	@echo "make test   - the whole suite: lint, sanity, unit tests, Molecule scenarios"
	@echo "make deps   - only install Debian packages and the controller venv"

apt:
	@tools/bootstrap/apt.sh

venv:
	@tools/toolchain/venv.sh

deps: apt venv collection

collection:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)

# ansible-lint (production profile), shellcheck on the baseline's host checks, the role READMEs current, the
# changelog fragments valid
lint: deps
	ansible-lint --offline
	shellcheck --severity=style roles/baseline_hardening/files/checks/*.sh tools/ci/readmes.sh
	tools/ci/readmes.sh --check
	antsibull-changelog lint

# regenerate roles/*/README.md from meta/argument_specs.yml (aar-doc)
readmes: deps
	tools/ci/readmes.sh

# the release entry in changelogs/changelog.yaml (and CHANGELOG.rst) of the version galaxy.yml declares, from
# changelogs/fragments (antsibull-changelog). Run it again after merging new fragments: the release takes them in.
changelog: deps
	antsibull-changelog release

sanity: deps
	tools/ci/sanity.sh

units: deps
	tools/ci/units.sh

# execution-environment.yml: requirements equal to our pins, and `ansible-builder create` makes that build context
ee: deps
	python tools/ci/ee_check.py

# every benchmark once in a short smoke mode (numbers printed, never asserted; needs the dev cloud and test hosts)
benchmarks: deps
	tools/ci/benchmarks.sh

# the test bed's own tests: dev cloud CLI (throw-away home), test-host teardown / no strays, CI failure digest
testbed-tests: deps
	python -m pytest -q -p no:cacheprovider --ignore=tools/devcloud/tests/boot tools/devcloud/tests tools/testhosts/tests tools/ci/tests

# the booting dev cloud end to end (devcloud --boot: real guests, SSH with pinned host keys, the bastion path,
# a guest past its deadline torn down);
# minutes on 2 cores, so not in `make test` yet. Starts the booting cloud if it is not running (and stops it
# after); skipped only on a machine that lacks what booting needs (devcloud --boot check)
boot-test: deps
	python -m pytest -q -p no:cacheprovider -rs tools/devcloud/tests/boot

# the full-fidelity scenario molecule/guest on the booting dev cloud (onboard -> trial.yml boots a server ->
# through the bastion: harden.yml, assess.yml, decommission.yml with the volume cleared in the guest); starts the
# booting cloud if it is not running (and stops it after). Passes (~16 min + the cloud's start); not in `make test`
# yet: the suite is already 37-50 min on 2 cores (docs/devcloud.md)
guest-test: deps
	tools/ci/guest.sh

# the scale tests (20 applications at once on the dev cloud; ~17 min here with Mitogen, so not in `make test`)
scale-test: deps
	tools/devcloud/devcloud up
	python -m pytest -q -p no:cacheprovider tests/scale

# all Molecule scenarios (or SCENARIOS="a b"), with the dev cloud and test-host image they need
molecule: deps
	tools/ci/molecule.sh $(SCENARIOS)

# everything; the test bed warms up in the background during the checks that need none (tools/ci/test.sh)
test: deps
	tools/ci/test.sh

# the main job: the example application's life against the dev cloud, ending with the auditor report
demo: deps
	tools/demo/run.sh

clean:
	rm -rf .work tests/output
