"""The tutor's two tools: the contract's schemas and the code that runs a model's tool call.

Tool results are text for the model. A bad call (unknown tool, arguments that are not JSON or do
not fit the schema, a query the index refuses) is answered with a JSON error the model can read
and correct, never raised: one malformed call must not end the reader's turn.
"""

from __future__ import annotations

from typing import Any, Final, Literal, Protocol

import msgspec

from tutorgpt_asgi.agent.citations import SourceRegistry
from tutorgpt_asgi.agent.fence import fence, new_fence_token
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.search import ScopeContext, SearchHit, SearchResult, search_book_content
from tutorgpt_asgi.chatkit.responder import Progress, TurnContext

SEARCH_TOOL: Final = "search_book_content"
PROFILE_TOOL: Final = "get_student_profile"

#: The contract's tool definitions, verbatim.
TOOL_SCHEMAS: Final[list[dict[str, Any]]] = [
    {
        "type": "function",
        "function": {
            "name": "search_book_content",
            "description": "Search the book content for relevant information",
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "scope": {
                        "type": "string",
                        "enum": ["current_lesson", "current_chapter", "entire_book"],
                    },
                },
                "required": ["query"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_student_profile",
            "description": "Get student's learning profile and progress",
            "parameters": {"type": "object", "properties": {}, "required": []},
        },
    },
]

#: How many hits one search shows the model.
SEARCH_HITS: Final = 5

Scope = Literal["current_lesson", "current_chapter", "entire_book"]


class SearchArguments(msgspec.Struct, frozen=True):
    """``search_book_content``'s arguments; extra keys a model adds are ignored."""

    query: str
    scope: Scope = "entire_book"


class StudentProfiles(Protocol):
    """Where profiles come from (the sessions service)."""

    async def student_profile(self, student_id: str) -> msgspec.Struct | None: ...


def tool_error(code: str, message: str) -> str:
    """A tool result that tells the model what was wrong with its call."""
    return msgspec.json.encode({"error": {"code": code, "message": message}}).decode()


def progress_for(name: str) -> Progress | None:
    """The status line the reader sees while a tool runs."""
    if name == SEARCH_TOOL:
        return Progress("Searching the book…", "search")
    if name == PROFILE_TOOL:
        return Progress("Checking your progress…", "profile")
    return None


def citation_title(hit: SearchHit) -> str:
    """The page title, and the section's heading when the hit is inside a section."""
    if len(hit.heading_path) > 1 and hit.heading_path[-1] != hit.title:
        return f"{hit.title} › {hit.heading_path[-1]}"
    return hit.title


#: What a weak result tells the model (the rule itself is in :mod:`tutorgpt_asgi.book.coverage`).
WEAK_MATCH_TEXT: Final = (
    "weak_match: true. No passage covers this question, so the book most likely does not "
    "answer it. Tell the student plainly that the book does not cover this and cite nothing; "
    "the nearest sections below are not sources and have no citation URL."
)


def format_search_result(result: SearchResult, query: str, sources: SourceRegistry) -> str:
    """The hits as numbered entries (title, coverage, snippet, citation URL) the model can cite.

    A ``weak_match`` result registers no source and shows no URL: the citation rule (only a
    URL a tool returned in this turn) then keeps an answer to it from citing anything.
    """
    header = f'Search results for "{query}" (scope: {result.searched_scope})'
    if result.searched_scope != result.requested_scope:
        header += f"; {result.requested_scope} was requested"
    lines = [header + "."]
    if result.note:
        lines.append(f"Note: {result.note}")
    if not result.hits:
        lines.append("No passages in the book match this query.")
        return "\n".join(lines)
    if result.weak_match:
        lines.append(WEAK_MATCH_TEXT)
        lines += [f"- {citation_title(hit)} (coverage {hit.coverage:.2f})" for hit in result.hits]
        return "\n".join(lines)
    lines.append(
        "Cite a passage as [number] or with its URL, exactly as given. Coverage is the share of "
        f"the query a passage contains; below {result.needed_coverage:.2f} it does not answer it."
    )
    for hit in result.hits:
        source = sources.add(citation_title(hit), hit.url)
        section = " > ".join(hit.heading_path)
        lines.append("")
        lines.append(f"[{source.number}] {hit.title}" + (f" ({section})" if section else ""))
        lines.append(f"URL: {hit.url}")
        lines.append(f"Coverage: {hit.coverage:.2f}")
        lines.append(f"Snippet: {hit.snippet}")
    return "\n".join(lines)


class ToolRunner:
    """Runs one turn's tool calls for the student who asked, and only for them."""

    def __init__(
        self,
        book: BookIndex,
        profiles: StudentProfiles,
        context: TurnContext,
        sources: SourceRegistry,
    ) -> None:
        self._book = book
        self._profiles = profiles
        self._context = context
        self._sources = sources
        #: The scope of the last search run (``None`` until one runs), for the turn record.
        self.searched_scope: str | None = None

    async def run(self, name: str, arguments: str) -> str:
        """The tool's result text, or a tool error for a malformed call."""
        if name == SEARCH_TOOL:
            return await self._search(arguments)
        if name == PROFILE_TOOL:
            return await self._profile(arguments)
        known = ", ".join((SEARCH_TOOL, PROFILE_TOOL))
        return tool_error("unknown_tool", f"There is no tool named {name!r}; use one of: {known}.")

    async def _search(self, arguments: str) -> str:
        try:
            parsed = msgspec.json.decode(arguments.strip() or "{}", type=SearchArguments)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            return tool_error("invalid_arguments", f"{SEARCH_TOOL}: {error}")
        query = parsed.query.strip()
        if not query:
            return tool_error("invalid_arguments", f"{SEARCH_TOOL}: query must not be empty")
        location = self._context.location
        scope_context = ScopeContext(
            current_chapter=location.current_chapter,
            current_lesson=location.current_lesson,
            docs_instance=location.docs_instance,
            version=location.version,
        )
        result = await search_book_content(
            self._book, query, parsed.scope, scope_context, k=SEARCH_HITS
        )
        self.searched_scope = result.searched_scope
        return format_search_result(result, query, self._sources)

    async def _profile(self, arguments: str) -> str:
        """The asking student's profile; ids or emails in the arguments are ignored on purpose."""
        try:
            parsed = msgspec.json.decode(arguments.strip() or "{}")
        except msgspec.DecodeError as error:
            return tool_error("invalid_arguments", f"{PROFILE_TOOL}: {error}")
        if not isinstance(parsed, dict):
            return tool_error("invalid_arguments", f"{PROFILE_TOOL}: arguments must be an object")
        profile = await self._profiles.student_profile(self._context.student_id)
        if profile is None:
            return tool_error("unknown_student", "This student has no profile yet.")
        # Names, titles and page paths in it were typed or sent by the reader: fenced like them.
        return fence("The student's learning profile.", profile, new_fence_token())
