"""The second evaluation book: Django's documentation, extracted at run time from its sdist.

Why this book: the harness needs a real technical book of at least 300 pages that nobody on the
project wrote, so paraphrases, code and keyword questions meet real vocabulary. Django's docs
(BSD-3-Clause, like Django) ship inside the source distribution on PyPI as reStructuredText;
``pip download`` fetches it (cached under ``bench/quality/.cache``, git-ignored) and this module
converts each ``.txt`` page to Markdown in a Docusaurus docs folder: titles and sections become
``#``/``##``/``###`` headings, code blocks become fenced blocks, Sphinx roles become inline code
or plain text. The conversion is deliberately small (not a full reST parser, which would be a
new dependency for a benchmark): what it misses stays as plain text, which is still searchable.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

DJANGO_VERSION = "5.1.15"
CACHE = Path(__file__).parent / ".cache"
#: Release notes older than this series are left out: hundreds of near-identical pages.
RELEASE_SERIES = ("4.", "5.")

_ADORN = re.compile(r"^([=\-~^\"'`#*+.])\1{2,}\s*$")
_ROLE = re.compile(r":(?:[\w-]+:)?[\w-]+:`([^`]+)`")
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]+>`_{1,2}")
_REF = re.compile(r"`([^`]+)`_{1,2}")
_CODE_DIRECTIVES = ("code-block", "code", "console", "sourcecode", "parsed-literal")
_API_DIRECTIVES = (
    "class", "method", "attribute", "function", "setting", "django-admin-option", "exception",
    "data", "templatefilter", "templatetag", "fieldlookup", "classmethod", "staticmethod",
    "django-admin", "envvar", "option", "describe", "object",
)
_DROP_DIRECTIVES = ("module", "currentmodule", "toctree", "index", "image", "figure", "highlight", "program")


def sdist() -> Path:
    """Django's source distribution from PyPI, downloaded once."""
    CACHE.mkdir(exist_ok=True)
    found = sorted(CACHE.glob(f"[dD]jango-{DJANGO_VERSION}.tar.gz"))
    if found:
        return found[0]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
         "-d", str(CACHE), f"django=={DJANGO_VERSION}"],
        check=True,
    )
    return sorted(CACHE.glob(f"[dD]jango-{DJANGO_VERSION}.tar.gz"))[0]


def _role(match: re.Match[str]) -> str:
    text = match.group(1)
    label = re.match(r"(.*?)\s*<([^>]*)>$", text, re.DOTALL)
    if label and label.group(1):
        return label.group(1)
    target = (label.group(2) if label else text).lstrip("!")
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def inline(line: str) -> str:
    """Roles, links and ``literals`` of one line of reST as Markdown."""
    line = line.replace("``", "`")
    line = _ROLE.sub(_role, line)
    line = _LINK.sub(r"\1", line)
    return _REF.sub(r"\1", line).replace("\\", "")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block(lines: list[str], start: int, base: int) -> tuple[list[str], int]:
    """The lines indented deeper than ``base`` from ``start`` (blank lines included), dedented."""
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > base):
        end += 1
    body = lines[start:end]
    while body and not body[-1].strip():
        body.pop()
    depth = min((_indent(line) for line in body if line.strip()), default=0)
    return [line[depth:] for line in body], end


def convert(text: str) -> str:
    """One reST page as Markdown (see the module's docstring for what is kept)."""
    lines = text.expandtabs(4).splitlines()
    out: list[str] = []
    styles: list[str] = []
    i = 0
    literal_next = False
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        # Headings: an optional overline, the title, an underline of the same character.
        if _ADORN.match(line) and i + 2 < len(lines) and _ADORN.match(lines[i + 2]) and lines[i + 1].strip():
            style, title, i = "over" + line[0], lines[i + 1].strip(), i + 3
        elif stripped and i + 1 < len(lines) and _ADORN.match(lines[i + 1]) and not _indent(line) \
                and len(lines[i + 1].strip()) >= len(stripped) - 1 and not _ADORN.match(line):
            style, title, i = lines[i + 1][0], stripped, i + 2
        else:
            style = ""
        if style:
            if style not in styles:
                styles.append(style)
            level = min(styles.index(style) + 1, 4)
            out += ["", "#" * level + " " + inline(title), ""]
            continue
        directive = re.match(r"^(\s*)\.\. ([\w:-]+)::\s*(.*)$", line)
        if directive:
            base, name, argument = len(directive.group(1)), directive.group(2), directive.group(3)
            body, i = _block(lines, i + 1, base)
            options = 0
            while options < len(body) and body[options].startswith(":"):
                options += 1
            body = body[options:]
            while body and not body[0].strip():
                body.pop(0)
            name = name.split(":")[-1]
            if name in _CODE_DIRECTIVES:
                language = argument.strip() or ("shell" if name == "console" else "")
                out += ["", f"```{language}", *body, "```", ""]
            elif name in _API_DIRECTIVES:
                out += ["", f"`{argument.strip()}`", "", *(inline(b) for b in body), ""]
            elif name not in _DROP_DIRECTIVES:
                head = [f"**{inline(argument)}**", ""] if argument.strip() else []
                out += ["", *head, *(inline(b) for b in body), ""]
            continue
        if stripped.startswith(".. "):  # labels, comments, substitutions
            _, i = _block(lines, i + 1, _indent(line))
            continue
        if literal_next and stripped and _indent(line) > 0:
            body, i = _block(lines, i, _indent(line) - 1)
            out += ["```", *body, "```", ""]
            literal_next = False
            continue
        if stripped:
            literal_next = stripped.endswith("::")
            if literal_next:
                line = line.rstrip()[:-1] if not stripped == "::" else ""
        out.append(inline(line.strip() if not out or not out[-1].startswith("```") else line))
        i += 1
    return "\n".join(out).strip() + "\n"


def _wanted(relative: str) -> bool:
    if relative.startswith(("_", "internals/", "misc/")) or relative in ("index.txt", "contents.txt"):
        return False
    if relative.startswith("releases/"):
        name = relative.removeprefix("releases/")
        return name.startswith(RELEASE_SERIES)
    return True


def write_book(root: Path) -> int:
    """Write the converted docs under ``root``; returns how many pages were written."""
    pages = 0
    with tarfile.open(sdist()) as archive:
        for member in archive.getmembers():
            parts = member.name.split("/", 2)
            if len(parts) < 3 or parts[1] != "docs" or not member.name.endswith(".txt") or not member.isfile():
                continue
            relative = parts[2]
            if not _wanted(relative):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            markdown = convert(handle.read().decode("utf-8"))
            target = root / (relative.removesuffix(".txt") + ".md")
            if target.stem == "index":
                target = target.with_name(f"{target.parent.name}-overview.md")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
            pages += 1
    return pages
