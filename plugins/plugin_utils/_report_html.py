# Copyright (c) 2026 govcloud.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin_util is **PRIVATE** to the collection: it can change at any time.

"""The report in HTML (zh-CN / en, one template) and its PDF print by headless Chromium (a base of _report.Report)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_model import _load_data, data_path, ReportError
from ansible_collections.govcloud.lifecycle.plugins.plugin_utils._report_sink import _file_sha256


try:
    import jinja2
except ImportError:  # the controller always has it (ansible-core dependency); guarded for sanity import tests
    jinja2 = None


PDF_NAME = "evidence-report.pdf"


class HtmlRendering:
    """Report._render_html() and Report._pdf()."""

    def _render_html(self, model):
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(data_path("report")),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True)
        i18n = _load_data("report", "i18n.yml")
        lang = self.lang

        def t(key, *args):
            entry = i18n.get(key)
            if entry is None:
                return key
            text = entry.get(lang) or entry.get("en") or key
            return text % args if args else text

        idx = 0 if lang == "zh-CN" else 1
        terms = {"result": model["result_terms"], "party": model["party_terms"]}

        def term(value, group):
            pair = terms[group].get(value)
            return pair[idx] if pair else str(value)

        env.globals.update(t=t, term=term)
        try:
            return env.get_template("report.html.j2").render(m=model)
        except jinja2.TemplateError as exc:
            raise ReportError("report template error: %s" % exc)

    # --- PDF

    def _pdf(self, dest, html):
        """The HTML report printed to PDF by headless Chromium (its print stylesheet), beside the HTML.

        Chromium stamps the creation time into every PDF, so the PDF is printed again only when the HTML
        changed or the PDF is missing: a rerun over the same ledger changes nothing.
        """
        if html is None:
            raise ReportError("pdf: the PDF is printed from the HTML report; add html to formats")
        path = os.path.join(dest, PDF_NAME)
        browser = self.p.get("chromium") or "/usr/bin/chromium"
        if not (os.path.isfile(browser) and os.access(browser, os.X_OK)):
            found = shutil.which(os.path.basename(browser)) if os.sep not in browser else None
            if not found:
                raise ReportError(
                    "pdf: no Chromium at %s to print the PDF (install the Debian package chromium, as "
                    "tools/bootstrap/apt-packages.txt does, or set the chromium option); the HTML, JSON and "
                    "OSCAL files were written" % browser)
            browser = found
        before = _file_sha256(path)
        if before is not None and not html["changed"]:
            return {"path": path, "sha256": before, "changed": False, "before_sha256": before}
        if self.check_mode:
            return {"path": path, "sha256": None, "changed": True, "before_sha256": before}
        work = tempfile.mkdtemp(prefix=".pdf.", dir=dest)
        try:
            tmp = os.path.join(work, PDF_NAME)
            cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--user-data-dir=" + os.path.join(work, "profile"), "--no-pdf-header-footer",
                   "--print-to-pdf=" + tmp, "file://" + os.path.abspath(html["path"])]
            try:
                # the report runs on the controller inside an action plugin: there is no AnsibleModule here
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300,  # pylint: disable=ansible-bad-function
                                      check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ReportError("pdf: %s could not print the report: %s" % (browser, exc))
            if proc.returncode != 0 or not os.path.isfile(tmp) or os.path.getsize(tmp) == 0:
                tail = " ".join((proc.stderr or "").strip().splitlines()[-3:])
                raise ReportError("pdf: %s exited %d without a PDF: %s" % (browser, proc.returncode, tail))
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        after = _file_sha256(path)
        return {"path": path, "sha256": after, "changed": True, "before_sha256": before}
