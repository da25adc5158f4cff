"""Known vulnerabilities in our dependencies: pip-audit's answer, completed where it could not ask.

    pip-audit -r requirements.txt --vulnerability-service pypi --format json --output report.json
    python tools/audit_dependencies.py report.json

pip-audit asks pypi.org's per-release API (/pypi/<name>/<version>/json). Where that API does not
answer, as on a machine whose packages come from a mirror, pip-audit skips the package. For each
skip this script asks what is still reachable:

- pypi.org's project API (/pypi/<name>/json) carries the advisories of the project's latest
  release. For a pin that *is* the latest release that is exactly its advisory list.
- Django's source distribution carries Django's own advisories: the security archive
  (docs/releases/security.txt: each CVE with the series it affects) and the release notes of
  every patch release (each fixed CVE as a heading). A pin is vulnerable to a CVE that the
  archive lists for its series and no release note up to the pin names, and to every CVE that a
  later patch release of its series fixed.

A package none of these covers is named as not audited. Exit status 1 means a vulnerability was
found; packages left unaudited are printed, not failed, since no data about them is reachable.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
import tarfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TextIO
from urllib.error import HTTPError
from urllib.parse import urljoin

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYPI = "https://pypi.org"
TIMEOUT_SECONDS = 60

_ARCHIVE_HEADING = re.compile(r"^\w+ \d{1,2}, \d{4} - :cve:`(?P<cve>\d{4}-\d+)`\s*$")
_ARCHIVE_SERIES = re.compile(r"^\* Django (?P<series>\d+\.\d+)\b")
_NOTES_HEADING = re.compile(r"^(?P<cve>CVE-\d{4}-\d+):", re.MULTILINE)


@dataclass(frozen=True)
class Pin:
    name: str
    version: str


@dataclass
class Audit:
    """What is known of each pin: found vulnerabilities, how it was audited, or why it was not."""

    vulnerable: dict[Pin, list[str]] = field(default_factory=dict)
    audited_by: dict[Pin, str] = field(default_factory=dict)
    not_audited: dict[Pin, str] = field(default_factory=dict)

    def record(self, pin: Pin, source: str, advisories: list[str]) -> None:
        self.audited_by[pin] = source
        if advisories:
            self.vulnerable[pin] = advisories


def latest_release_advisories(project: dict, version: str) -> list[str] | None:
    """Advisory ids (with their fix) for `version` if it is the project's latest release, else None."""
    if project["info"]["version"] != version:
        return None
    return [
        _advisory(vuln["id"], vuln.get("fixed_in"))
        for vuln in project.get("vulnerabilities") or []
        if not vuln.get("withdrawn")
    ]


def django_advisories(archive: str, notes: dict[str, str], version: str) -> list[str] | None:
    """CVEs that Django's archive and release notes show unfixed in `version`; None if they say nothing of it.

    `notes` maps a release ("5.2", "5.2.19") to the text of its release notes.
    """
    pinned = Version(version)
    series = f"{pinned.major}.{pinned.minor}"
    listed: list[str] = []
    cve = None
    for line in archive.splitlines():
        if heading := _ARCHIVE_HEADING.match(line):
            cve = f"CVE-{heading['cve']}"
        elif cve and (bullet := _ARCHIVE_SERIES.match(line)) and bullet["series"] == series and cve not in listed:
            listed.append(cve)
    series_notes = {Version(release): text for release, text in notes.items() if _in_series(release, series)}
    if not listed and not series_notes:
        return None
    fixed_by_pin = {cve for release, text in series_notes.items() if release <= pinned for cve in _notes_cves(text)}
    fixed_later = {
        cve: release for release, text in series_notes.items() if release > pinned for cve in _notes_cves(text)
    }
    unfixed = [cve for cve in listed if cve not in fixed_by_pin and cve not in fixed_later]
    return [f"{cve} (listed for Django {series}; no release up to {version} fixes it)" for cve in unfixed] + [
        _advisory(cve, [str(release)]) for cve, release in sorted(fixed_later.items())
    ]


def _advisory(advisory_id: str, fixed_in: Iterable[str] | None) -> str:
    return f"{advisory_id} (fixed in {', '.join(fixed_in or []) or 'no release'})"


def _in_series(release: str, series: str) -> bool:
    return release == series or release.startswith(f"{series}.")


def _notes_cves(text: str) -> set[str]:
    return set(_NOTES_HEADING.findall(text))


def audit(pins: Iterable[Pin], report: dict | None, *, index: str = PYPI) -> Audit:
    """Take pip-audit's answer for what it audited; ask pypi.org and Django's sources for the rest."""
    result = Audit()
    pins = set(pins)
    answered = {}
    for dependency in (report or {}).get("dependencies", []):
        if "skip_reason" in dependency:  # carries no version: the installed release is asked
            continue
        pin = Pin(canonicalize_name(dependency["name"]), dependency["version"])
        pins.add(pin)
        answered[pin] = [_advisory(vuln["id"], vuln["fix_versions"]) for vuln in dependency.get("vulns", [])]
    for pin in sorted(pins, key=lambda p: (p.name, p.version)):
        if pin in answered:
            result.record(pin, "pip-audit", answered[pin])
        else:
            _audit_skipped(result, pin, index)
    return result


def _audit_skipped(result: Audit, pin: Pin, index: str) -> None:
    project_url = f"{index}/pypi/{pin.name}/json"
    try:
        project = json.loads(_fetch(project_url))
        advisories = latest_release_advisories(project, pin.version)
    except OSError as error:
        result.not_audited[pin] = f"{project_url} did not answer: {error}"
        return
    except (ValueError, KeyError, TypeError) as error:
        result.not_audited[pin] = f"{project_url} answered something other than PyPI's project JSON: {error!r}"
        return
    if advisories is not None:
        result.record(pin, "pypi.org (latest release)", advisories)
        return
    latest = project["info"]["version"]
    if pin.name == "django":
        try:
            advisories = django_advisories(*_django_sources(project, project_url, pin.version), pin.version)
        except (OSError, ValueError, KeyError, tarfile.TarError, InvalidVersion) as error:
            result.not_audited[pin] = f"Django {latest}'s source distribution could not be read: {error}"
            return
        if advisories is not None:
            result.record(pin, f"Django {latest}'s security archive and release notes", advisories)
            return
    result.not_audited[pin] = f"pypi.org answers advisories only for the latest release, {latest}"


def _django_sources(project: dict, project_url: str, version: str) -> tuple[str, dict[str, str]]:
    """The security archive and this series' release notes from the latest Django sdist (hash checked)."""
    sdist = next(file for file in project["urls"] if file["packagetype"] == "sdist")
    body = _fetch(urljoin(project_url, sdist["url"]))
    if hashlib.sha256(body).hexdigest() != sdist["digests"]["sha256"]:
        raise ValueError(f"{sdist['filename']} does not match its published SHA-256")
    pinned = Version(version)
    notes_name = re.compile(rf"/docs/releases/({pinned.major}\.{pinned.minor}(?:\.\d+)?)\.txt$")
    archive, notes = "", {}
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as sources:
        for member in sources:
            if member.name.endswith("/docs/releases/security.txt"):
                archive = _read(sources, member)
            elif match := notes_name.search(member.name):
                notes[match[1]] = _read(sources, member)
    if not archive:
        raise ValueError(f"{sdist['filename']} holds no docs/releases/security.txt")
    return archive, notes


def _read(sources: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    extracted = sources.extractfile(member)
    return extracted.read().decode() if extracted else ""


def _fetch(url: str, attempts: int = 3) -> bytes:
    """GET with retries on faults that may pass (no answer, 429, 5xx); any other status is final."""
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
                return response.read()
        except HTTPError as error:
            if (error.code != 429 and error.code < 500) or attempt == attempts - 1:
                raise
        except OSError:
            if attempt == attempts - 1:
                raise
        time.sleep(2**attempt)
    raise AssertionError("unreachable")


def required_pins(requirements: Path) -> set[Pin]:
    """The installed release of every package that requirements.txt asks for, directly or through another."""
    lines = [line.split("#", 1)[0].strip() for line in requirements.read_text().splitlines()]
    wanted = [Requirement(line) for line in lines if line and not line.startswith("-")]
    wanted = [requirement for requirement in wanted if requirement.marker is None or requirement.marker.evaluate()]
    pins: dict[str, Pin] = {}
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if name in pins:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise SystemExit(
                f"{requirement.name} is required ({requirements}) but not installed: run `make install`."
            ) from None
        pins[name] = Pin(name, dist.version)
        extras = {"", *requirement.extras}
        for needed in map(Requirement, dist.requires or []):
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                wanted.append(needed)
    return set(pins.values())


def print_audit(result: Audit, out: TextIO) -> None:
    sources = Counter(result.audited_by.values())
    audited = ", ".join(f"{count} by {source}" for source, count in sorted(sources.items()))
    print(f"audited {len(result.audited_by)} ({audited or 'none'}), not audited {len(result.not_audited)}", file=out)
    for pin, reason in sorted(result.not_audited.items(), key=lambda item: item[0].name):
        print(f"  not audited: {pin.name} {pin.version}: {reason}", file=out)
    for pin, advisories in sorted(result.vulnerable.items(), key=lambda item: item[0].name):
        for advisory in advisories:
            print(f"  VULNERABLE: {pin.name} {pin.version}: {advisory}", file=out)
    print(f"vulnerable {len(result.vulnerable)}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("report", type=Path, help="pip-audit's JSON report (a missing or empty file: none)")
    parser.add_argument("--requirements", type=Path, default=Path("requirements.txt"), help="default: %(default)s")
    parser.add_argument("--index", default=PYPI, help="where pypi.org's JSON API answers (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text())
    except (OSError, ValueError):
        print(f"pip-audit left no report at {args.report}: every package is asked here")
        report = None
    result = audit(required_pins(args.requirements), report, index=args.index.rstrip("/"))
    print_audit(result, sys.stdout)
    return 1 if result.vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
