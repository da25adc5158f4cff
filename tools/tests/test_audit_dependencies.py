"""The dependency audit's judgement, and the whole run against a stand-in pypi.org over real HTTP."""

import hashlib
import io
import json
import tarfile
import threading
from contextlib import contextmanager, redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata

import pytest

from tools.audit_dependencies import django_advisories, latest_release_advisories, main

ARCHIVE = """\
Archive of security issues
==========================

October 6, 2026 - :cve:`2026-1001`
----------------------------------

Potential denial-of-service vulnerability in header parsing.

* Django 6.1 :commit:`(patch) <aaa>`
* Django 5.2 :commit:`(patch) <bbb>`

August 4, 2026 - :cve:`2026-1002`
---------------------------------

Only in the newer series.

* Django 6.1 :commit:`(patch) <ccc>`

February 19, 2013 - No CVE
--------------------------

* Django 1.4 :commit:`(patch) <ddd>`
"""


def notes(version: str, *cves: str) -> str:
    headings = "\n\n".join(f"{cve}: Something unsafe\n{'=' * 30}\n\nDetails." for cve in cves)
    return f"Django {version} release notes\n\nDjango {version} fixes security issues.\n\n{headings}\n"


def test_a_cve_fixed_at_or_before_the_pin_is_not_reported():
    assert django_advisories(ARCHIVE, {"5.2": notes("5.2"), "5.2.3": notes("5.2.3", "CVE-2026-1001")}, "5.2.3") == []
    assert django_advisories(ARCHIVE, {"5.2.3": notes("5.2.3", "CVE-2026-1001")}, "5.2.9") == []


def test_a_cve_fixed_by_a_later_release_of_the_series_is_reported_with_that_release():
    found = django_advisories(ARCHIVE, {"5.2.3": notes("5.2.3", "CVE-2026-1001")}, "5.2.2")

    assert found == ["CVE-2026-1001 (fixed in 5.2.3)"]


def test_a_later_release_fix_counts_even_before_the_archive_lists_it():
    found = django_advisories(ARCHIVE, {"5.2.4": notes("5.2.4", "CVE-2026-2000")}, "5.2.3")

    assert found == [
        "CVE-2026-1001 (listed for Django 5.2; no release up to 5.2.3 fixes it)",
        "CVE-2026-2000 (fixed in 5.2.4)",
    ]


def test_a_cve_of_another_series_or_another_release_line_does_not_count():
    assert django_advisories(ARCHIVE, {"5.2.1": notes("5.2.1", "CVE-2026-1001")}, "6.1.1") == [
        "CVE-2026-1001 (listed for Django 6.1; no release up to 6.1.1 fixes it)",
        "CVE-2026-1002 (listed for Django 6.1; no release up to 6.1.1 fixes it)",
    ]
    assert django_advisories(ARCHIVE, {"5.20.1": notes("5.20.1", "CVE-2026-3000")}, "5.2.1") == [
        "CVE-2026-1001 (listed for Django 5.2; no release up to 5.2.1 fixes it)"
    ]


def test_a_series_the_sources_never_mention_is_unknown_not_clean():
    assert django_advisories(ARCHIVE, {}, "4.2.30") is None


def test_pypi_answers_for_the_latest_release_only():
    project = {
        "info": {"version": "2.0"},
        "vulnerabilities": [
            {"id": "PYSEC-2026-1", "fixed_in": []},
            {"id": "GHSA-xxxx", "fixed_in": ["2.1"], "withdrawn": None},
            {"id": "PYSEC-2026-2", "fixed_in": ["2.1"], "withdrawn": "2026-10-01T00:00:00"},
        ],
    }

    assert latest_release_advisories(project, "1.9") is None
    assert latest_release_advisories(project, "2.0") == [
        "PYSEC-2026-1 (fixed in no release)",
        "GHSA-xxxx (fixed in 2.1)",
    ]
    assert latest_release_advisories({"info": {"version": "2.0"}, "vulnerabilities": []}, "2.0") == []


# --- the whole run, against a stand-in pypi.org ---------------------------------------------------


def sdist(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            member = tarfile.TarInfo(f"django-9.0/{name}")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


@contextmanager
def stand_in_pypi(routes: dict[str, bytes]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = routes.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def project(version: str, vulnerabilities: list[dict] | None = None, urls: list[dict] | None = None) -> bytes:
    return json.dumps(
        {"info": {"version": version}, "vulnerabilities": vulnerabilities or [], "urls": urls or []}
    ).encode()


def django_routes(*, later_fix: str | None, tamper: bool = False) -> dict[str, bytes]:
    """Django 9.0 is the latest; its sdist's notes say whether a later release of our series fixed a CVE."""
    pinned = metadata.version("django")
    major, minor, patch = (int(part) for part in pinned.split("."))
    files = {
        "docs/releases/security.txt": ARCHIVE,
        f"docs/releases/{major}.{minor}.txt": notes(f"{major}.{minor}", "CVE-2026-1001"),
    }
    if later_fix:
        files[f"docs/releases/{major}.{minor}.{patch + 1}.txt"] = notes(f"{major}.{minor}.{patch + 1}", later_fix)
    body = sdist(files)
    digest = hashlib.sha256(body + (b"x" if tamper else b"")).hexdigest()
    url = {"packagetype": "sdist", "filename": "django-9.0.tar.gz", "url": "../../files/django-9.0.tar.gz"}
    return {
        "/pypi/django/json": project("9.0", urls=[{**url, "digests": {"sha256": digest}}]),
        "/files/django-9.0.tar.gz": body,
    }


def run(tmp_path, routes: dict[str, bytes], report: dict | None = None) -> tuple[int, str]:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        f"# Runtime\nDjango=={metadata.version('django')}\nnh3=={metadata.version('nh3')}  # sanitizer\n"
    )
    report_path = tmp_path / "report.json"
    report_path.write_text(json.dumps(report) if report is not None else "")
    out = io.StringIO()
    with stand_in_pypi(routes) as index, redirect_stdout(out):
        status = main([str(report_path), "--requirements", str(requirements), "--index", index])
    return status, out.getvalue()


def pypi_latest_for_everything_but_django(vulnerable: str | None = None) -> dict[str, bytes]:
    routes = {}
    for name in ("nh3", "asgiref", "sqlparse"):
        vulns = [{"id": "GHSA-test", "fixed_in": []}] if name == vulnerable else []
        routes[f"/pypi/{name}/json"] = project(metadata.version(name), vulns)
    return routes


def test_the_run_fails_on_a_django_cve_that_a_later_patch_release_fixed(tmp_path):
    status, out = run(tmp_path, {**pypi_latest_for_everything_but_django(), **django_routes(later_fix="CVE-2026-4242")})

    major, minor, patch = metadata.version("django").split(".")
    assert status == 1
    assert (
        f"VULNERABLE: django {metadata.version('django')}: CVE-2026-4242 (fixed in {major}.{minor}.{int(patch) + 1})"
        in out
    )
    django_source = "1 by Django 9.0's security archive and release notes"
    assert f"audited 4 ({django_source}, 3 by pypi.org (latest release)), not audited 0" in out


def test_the_run_passes_when_every_source_is_clean_and_names_what_it_could_not_ask(tmp_path):
    routes = {**pypi_latest_for_everything_but_django(), **django_routes(later_fix=None)}
    del routes["/pypi/sqlparse/json"]

    status, out = run(tmp_path, routes)

    assert status == 0, out
    assert f"not audited: sqlparse {metadata.version('sqlparse')}: " in out
    assert "vulnerable 0" in out


def test_a_vulnerability_in_the_latest_release_fails_the_run(tmp_path):
    status, out = run(
        tmp_path, {**pypi_latest_for_everything_but_django(vulnerable="nh3"), **django_routes(later_fix=None)}
    )

    assert status == 1
    assert f"VULNERABLE: nh3 {metadata.version('nh3')}: GHSA-test (fixed in no release)" in out


def test_a_tampered_django_sdist_is_not_trusted(tmp_path):
    status, out = run(
        tmp_path, {**pypi_latest_for_everything_but_django(), **django_routes(later_fix=None, tamper=True)}
    )

    assert status == 0
    assert "django-9.0.tar.gz does not match its published SHA-256" in out


def test_pip_audits_own_answers_are_taken_as_they_are(tmp_path):
    report = {
        "dependencies": [
            {"name": "Django", "version": metadata.version("django"), "vulns": []},
            {"name": "nh3", "version": metadata.version("nh3"), "vulns": [{"id": "PYSEC-1", "fix_versions": ["9.9"]}]},
            {"name": "sqlparse", "skip_reason": "Dependency not found on PyPI and could not be audited: sqlparse"},
        ]
    }
    status, out = run(tmp_path, pypi_latest_for_everything_but_django(), report)

    assert status == 1
    assert f"VULNERABLE: nh3 {metadata.version('nh3')}: PYSEC-1 (fixed in 9.9)" in out
    assert "audited 4 (2 by pip-audit, 2 by pypi.org (latest release)), not audited 0" in out


def test_an_answer_that_is_not_pypi_json_leaves_the_package_unaudited_in_words(tmp_path):
    routes = {**pypi_latest_for_everything_but_django(), **django_routes(later_fix=None)}
    routes["/pypi/nh3/json"] = b"<html>a captive portal</html>"

    status, out = run(tmp_path, routes)

    assert status == 0
    assert f"not audited: nh3 {metadata.version('nh3')}: " in out
    assert "answered something other than PyPI's project JSON" in out


def test_a_requirement_that_is_not_installed_is_named(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("surely-not-installed-here==1.0\nskipped-here==1.0 ; python_version < '3'\n")

    with pytest.raises(SystemExit, match="surely-not-installed-here is required"):
        main([str(tmp_path / "none.json"), "--requirements", str(requirements), "--index", "http://127.0.0.1:9"])
