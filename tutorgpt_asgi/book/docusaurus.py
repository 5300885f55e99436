"""Docusaurus's naming rules for docs: number prefixes, doc ids, slugs and permalinks.

These follow ``@docusaurus/plugin-content-docs`` 3.x (``numberPrefix``, ``docs``, ``slug``) so a
docs folder read here gives the ids and URLs the built site (and the plugin's export) has.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin

# Dates ("2021-11-foo") and versions ("7.0-foo") are not number prefixes.
_IGNORED_PREFIX = re.compile(r"^\d+[-_.]\d+")
_NUMBER_PREFIX = re.compile(r"^(?P<number>\d+)\s*[-_.]+\s*(?P<rest>[^-_.\s].*)$", re.DOTALL)


def parse_number_prefix(name: str) -> tuple[str, int | None]:
    """``"02-prompts"`` → ``("prompts", 2)``; names without a prefix come back unchanged."""
    if _IGNORED_PREFIX.match(name):
        return name, None
    match = _NUMBER_PREFIX.match(name)
    if not match:
        return name, None
    return match.group("rest"), int(match.group("number"))


def strip_number_prefixes(path: str) -> str:
    """Strip the prefix of every ``/``-separated segment."""
    return "/".join(parse_number_prefix(segment)[0] for segment in path.split("/"))


def is_category_index(file_stem: str, source_dir: str) -> bool:
    """``index``, ``README`` or a doc named like its folder (raw names, any case)."""
    folder = source_dir.split("/")[-1] if source_dir != "." else ""
    return file_stem.lower() in {"index", "readme", folder.lower()}


def doc_id(source: str, front_matter_id: str | None, *, parse_prefixes: bool = True) -> str:
    """The doc id of ``source`` (posix path relative to the docs folder, with extension)."""
    source_dir = posixpath.dirname(source) or "."
    stem = posixpath.splitext(posixpath.basename(source))[0]
    base = front_matter_id or (parse_number_prefix(stem)[0] if parse_prefixes else stem)
    if source_dir == ".":
        return base
    directory = strip_number_prefixes(source_dir) if parse_prefixes else source_dir
    return f"{directory}/{base}"


def doc_slug(source: str, base_id: str, front_matter_slug: str | None, *, parse_prefixes: bool = True) -> str:
    """The doc's slug (the part of its URL after the docs route)."""
    if front_matter_slug is not None and front_matter_slug.startswith("/"):
        return front_matter_slug
    source_dir = posixpath.dirname(source) or "."
    if source_dir == ".":
        dir_slug = "/"
    else:
        directory = strip_number_prefixes(source_dir) if parse_prefixes else source_dir
        dir_slug = "/" + directory.strip("/") + "/"
    stem = posixpath.splitext(posixpath.basename(source))[0]
    if front_matter_slug is None and is_category_index(stem, source_dir):
        return dir_slug
    relative = front_matter_slug if front_matter_slug is not None else base_id
    # resolve-pathname semantics: the browser's relative URL resolution.
    return urljoin("http://x" + dir_slug, relative)[len("http://x") :]


def normalize_url(*parts: str) -> str:
    """Join URL parts with single slashes, keeping the last part's trailing slash."""
    joined = "/".join(part for part in parts if part)
    joined = re.sub(r"/{2,}", "/", joined)
    return joined if joined.startswith("/") else "/" + joined


def permalink(slug: str, *, base_url: str = "/", route_base_path: str = "docs") -> str:
    """``/docs/foundations/prompts``; category index docs keep their folder's trailing slash."""
    return normalize_url(base_url, route_base_path, slug)
