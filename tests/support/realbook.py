"""The realbook fixture site, built once per test session by a real ``docusaurus build``.

``tests/fixtures/realbook-site/build.mjs`` caches the build by content, so the plugin's tests and
these share it. Everything the tests compare against comes from that build: the HTML's ``id``
attributes and Docusaurus's own doc metadata in ``.docusaurus``, never the code under test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "tests" / "fixtures" / "realbook-site"
#: A cold build on a loaded 2-core machine takes a few minutes.
BUILD_TIMEOUT = 900


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]


def html_ids(html: str) -> set[str]:
    """Every ``id`` attribute in an HTML document."""
    parser = _Ids()
    parser.feed(html)
    return set(parser.ids)


@dataclass(frozen=True)
class RealBook:
    root: Path  # holds site/build and site/.docusaurus

    @property
    def build(self) -> Path:
        return self.root / "site" / "build"

    @property
    def export(self) -> Path:
        return self.build / "tutorgpt" / "book-index.json"

    def html(self, permalink: str) -> Path | None:
        """The built page for a permalink, or None when the build has no such page."""
        path = permalink.split("#", 1)[0].strip("/")
        for candidate in (self.build / path / "index.html", self.build / f"{path}.html"):
            if candidate.is_file():
                return candidate
        return None

    def ids(self, permalink: str) -> list[str]:
        page = self.html(permalink)
        if page is None:
            return []
        parser = _Ids()
        parser.feed(page.read_text(encoding="utf-8"))
        return parser.ids

    @cached_property
    def docs_metadata(self) -> list[dict[str, object]]:
        """Docusaurus's own metadata of every built doc (all instances and versions)."""
        folder = self.root / "site" / ".docusaurus" / "docusaurus-plugin-content-docs"
        found = []
        for file in sorted(folder.rglob("site-*.json")):
            data = json.loads(file.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "permalink" in data and "id" in data:
                found.append(data)
        return found


def build_realbook() -> RealBook:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed to build the realbook fixture")
    run = subprocess.run(
        [node, str(SITE / "build.mjs")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"docusaurus build of the realbook fixture failed:\n{run.stdout}\n{run.stderr}")
    return RealBook(Path(run.stdout.strip().splitlines()[-1]))
