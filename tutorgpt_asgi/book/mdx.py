"""MDX/Markdown source → plain-text sections, the way the plugin's export describes them.

Two steps. :func:`clean_mdx` works on the raw source outside code fences: it drops MDX
``import``/``export`` blocks, comments and JSX/HTML tags (keeping their inner text) and turns
admonition fences into a label line (``Tip: Title``). :func:`split_sections` then parses the result
with markdown-it (indented code off, as in MDX) and cuts it at h2/h3 headings, giving each
heading the anchor Docusaurus gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .model import CodeBlock, Heading, Section
from .slugger import Slugger, split_explicit_id

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
_ESM_START = re.compile(
    r"^(?:import\s*[\w{*'\"]|export\s+(?:default|const|let|var|function|class|async|\{|\*))"
)
_MDX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING_COMMENT_ID = re.compile(
    r"^(?P<head>#{1,6}[ \t].*?)[ \t]*"
    r"(?:\{/\*\s*#(?P<mdx>[^\s*]+)[^*]*\*/\}|<!--\s*#(?P<html>\S+?)(?:\s[^>]*)?-->)[ \t]*$",
    re.MULTILINE,
)
# A JSX or HTML tag; attribute values may hold quotes or one level of {expression}.
_TAG = re.compile(
    r"</?[A-Za-z][\w.:-]*(?:\s(?:[^<>{}\"']|\"[^\"]*\"|'[^']*'|\{(?:[^{}]|\{[^{}]*\})*\})*)?/?>"
)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_ADMONITION_OPEN = re.compile(
    r"^[ \t]*(?P<colons>:{3,})(?P<kind>[A-Za-z][\w-]*)"
    r"(?:\[(?P<bracket>[^\]]*)\])?(?:\{[^}]*\})?[ \t]*(?P<title>.*?)[ \t]*$"
)
_ADMONITION_CLOSE = re.compile(r"^[ \t]*:{3,}[ \t]*$")
#: A JSX/HTML heading with an explicit id on one line: rendered with that id, never slugged.
_JSX_HEADING = re.compile(
    r"^[ \t]*<h(?P<depth>[1-6])\b[^>]*?\bid=(?:\"(?P<a>[^\"]+)\"|'(?P<b>[^']+)'|\{[\"'](?P<c>[^\"']+)[\"']\})"
    r"[^>]*>(?P<text>.*?)</h(?P=depth)>[ \t]*$"
)
_PARTIAL_IMPORT = re.compile(r"^import\s+(?P<name>[A-Z]\w*)\s+from\s+['\"](?P<path>\.{1,2}/[^'\"]+\.mdx?)['\"];?\s*$")
_PARTIAL_USE = re.compile(r"^[ \t]*<(?P<name>[A-Z]\w*)\s*/>[ \t]*$")
#: Paragraphs that open and close a partial: its headings get their own slugger, because
#: Docusaurus compiles an imported partial as its own document.
PARTIAL_START = "\x02partial\x02"
PARTIAL_END = "\x02/partial\x02"
_MAX_PARTIAL_DEPTH = 5
_FRONT = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def inline_partials(body: str, file: Path, depth: int = 0) -> str:
    """Put each ``<Partial />`` of an imported ``.md``/``.mdx`` file in place (front matter
    dropped), between :data:`PARTIAL_START`/:data:`PARTIAL_END`; unreadable partials are skipped."""
    lines = body.split("\n")
    imports = {m.group("name"): m.group("path") for m in map(_PARTIAL_IMPORT.match, lines) if m}
    if not imports or depth >= _MAX_PARTIAL_DEPTH:
        return body
    out: list[str] = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        use = None if in_fence else _PARTIAL_USE.match(line)
        target = imports.get(use.group("name")) if use else None
        if target is None:
            out.append(line)
            continue
        partial = (file.parent / target).resolve()
        try:
            text = _FRONT.sub("", partial.read_text(encoding="utf-8-sig"), count=1)
        except (OSError, UnicodeDecodeError):
            continue
        out += ["", PARTIAL_START, "", inline_partials(text, partial, depth + 1), "", PARTIAL_END, ""]
    return "\n".join(out)


def _clean_prose(text: str) -> str:
    """Everything outside code fences: comments, ESM, tags, admonitions."""
    text = _HEADING_COMMENT_ID.sub(
        lambda m: f"{m.group('head')} {{#{m.group('mdx') or m.group('html')}}}", text
    )
    text = _MDX_COMMENT.sub("", _HTML_COMMENT.sub("", text))
    out: list[str] = []
    in_esm = False
    for line in text.split("\n"):
        if in_esm:
            in_esm = line.strip() != ""
            continue
        if _ESM_START.match(line) and (not out or out[-1].strip() == ""):
            in_esm = True
            continue
        jsx = _JSX_HEADING.match(line)
        if jsx:
            anchor = jsx.group("a") or jsx.group("b") or jsx.group("c")
            out.append(f"{'#' * int(jsx.group('depth'))} {_strip_tags(jsx.group('text'))} {{#{anchor}}}")
            continue
        admonition = _ADMONITION_OPEN.match(line)
        if admonition:
            label = admonition.group("kind").replace("-", " ").capitalize()
            title = (admonition.group("bracket") or admonition.group("title") or "").strip()
            out.extend(["", f"{label}: {title}" if title else f"{label}:", ""])
            continue
        if _ADMONITION_CLOSE.match(line):
            out.append("")
            continue
        out.append(_strip_tags(line) if "<" in line else line)
    return "\n".join(out)


def _strip_tags(line: str) -> str:
    """Remove tags but leave inline code spans (``<div>`` in backticks) alone."""
    pieces: list[str] = []
    last = 0
    for match in _INLINE_CODE.finditer(line):
        pieces.append(_TAG.sub("", line[last : match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_TAG.sub("", line[last:]))
    stripped = "".join(pieces)
    return "" if not stripped.strip() else stripped


def clean_mdx(source: str) -> str:
    """Turn MDX source (front matter already removed) into plain CommonMark + GFM tables."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    result: list[str] = []
    prose: list[str] = []
    fence: tuple[str, int, int] | None = None  # marker char, marker length, indent
    for line in source.split("\n"):
        if fence is None:
            match = _FENCE.match(line)
            if match and not (match.group("marker")[0] == "`" and "`" in match.group("info")):
                result.append(_clean_prose(_join_multiline_tags("\n".join(prose))))
                prose = []
                indent = len(match.group("indent").expandtabs())
                fence = (match.group("marker")[0], len(match.group("marker")), indent)
                result.append(line.lstrip())
            else:
                prose.append(line)
        else:
            char, length, indent = fence
            stripped = line.strip()
            if stripped.startswith(char * length) and stripped.strip(char) == "":
                result.append(stripped)
                fence = None
            else:
                result.append(_dedent(line, indent))
    if fence is not None:  # unclosed fence: CommonMark closes it at the end of the document
        result.append(fence[0] * fence[1])
    result.append(_clean_prose(_join_multiline_tags("\n".join(prose))))
    return "\n".join(result)


_MULTILINE_TAG = re.compile(r"<[A-Za-z][\w.:-]*\s[^<>]*\n[^<>]*>")


def _join_multiline_tags(text: str) -> str:
    """Collapse a tag whose attributes span lines onto one line so the line pass can drop it."""
    return _MULTILINE_TAG.sub(lambda m: m.group(0).replace("\n", " "), text)


def _dedent(line: str, indent: int) -> str:
    removed = 0
    while removed < indent and line[:1] in (" ", "\t"):
        line = line[1:]
        removed += 1
    return line


def _markdown() -> MarkdownIt:
    # MDX has no indented code blocks: JSX children are often indented.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("code")


_MD = _markdown()


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline_text(child))
    return "".join(parts)


@dataclass
class _Open:
    anchor: str | None
    path: tuple[str, ...]
    blocks: list[str]
    code: list[CodeBlock]


@dataclass(frozen=True)
class ParsedDoc:
    content_title: str | None
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    first_paragraph: str | None


def split_sections(markdown: str, page_title: str | None) -> ParsedDoc:
    """Parse cleaned Markdown into sections at h2/h3; every heading gets its anchor.

    ``page_title`` heads each ``heading_path``; when it is None the first h1 is used (as
    Docusaurus does for a doc without a front-matter title). A list or a table stays one block.
    """
    tokens = _MD.parse(markdown)
    sluggers = [Slugger()]
    headings: list[Heading] = []
    content_title: str | None = None
    first_paragraph: str | None = None
    seen_content = False
    title = page_title
    sections: list[_Open] = []
    current = _Open(None, (), [], [])
    h2: str | None = None
    list_depth = 0
    list_lines: list[str] = []
    item_start = False
    table_rows: list[list[str]] | None = None
    row: list[str] = []

    def add(block: str) -> None:
        if list_depth:
            list_lines.append(block)
        else:
            current.blocks.append(block)

    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            depth = int(token.tag[1])
            text, explicit = split_explicit_id(_inline_text(tokens[i + 1]))
            text = text.strip()
            anchor = explicit if explicit else sluggers[-1].slug(text)
            headings.append(Heading(depth, text, anchor))
            if depth == 1 and content_title is None and not seen_content:
                content_title = text
                title = title if title is not None else text
            elif depth in (2, 3) and not list_depth:
                sections.append(current)
                h2 = text if depth == 2 else h2
                path = (text,) if depth == 2 or h2 is None else (h2, text)
                current = _Open(anchor, path, [], [])
            else:
                add(text)
            seen_content = True
            i += 3
            continue
        if kind == "inline" and token.content in (PARTIAL_START, PARTIAL_END):
            if token.content == PARTIAL_START:
                sluggers.append(Slugger())
            elif len(sluggers) > 1:
                sluggers.pop()
            i += 1
            continue
        if kind == "inline":
            text = _inline_text(token).strip()
            if table_rows is not None:
                row.append(text)
            elif text:
                if list_depth:
                    marker = "- " if item_start else "  "
                    list_lines.append("  " * (list_depth - 1) + marker + text)
                    item_start = False
                else:
                    current.blocks.append(text)
                    first_paragraph = first_paragraph or text
                seen_content = True
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif kind == "list_item_open":
            item_start = True
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            if list_depth == 0 and list_lines:
                current.blocks.append("\n".join(list_lines))
                list_lines = []
        elif kind == "fence":
            info = token.info.strip()
            lang = info.split(maxsplit=1)[0] if info else None
            code = token.content.rstrip("\n")
            current.code.append(CodeBlock(lang, code))
            add(f"```{lang or ''}\n{code}\n```")
            seen_content = True
        elif kind == "table_open":
            table_rows = []
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and table_rows is not None:
            table_rows.append(row)
        elif kind == "table_close" and table_rows is not None:
            add("\n".join("| " + " | ".join(cells) + " |" for cells in table_rows))
            table_rows = None
            seen_content = True
        elif kind == "html_block":
            text = _TAG.sub("", token.content).strip()
            if text:
                add(text)
        i += 1
    sections.append(current)
    page = title or ""
    built = tuple(
        Section(s.anchor, (page, *s.path), "\n\n".join(s.blocks), tuple(s.code))
        for s in sections
        if s.anchor is not None or s.blocks
    )
    return ParsedDoc(content_title, tuple(headings), built, first_paragraph)
