"""The ChatKit server: dispatches a decoded request, persists threads, streams answers.

Everything that can fail with a clear status (bad params, unknown thread, unknown item) is
checked *before* a stream starts, so those failures are JSON errors, not broken streams. Once the
stream runs, failures become in-band ``error`` events and the HTTP status stays 200.

A reader who closes the tab mid-answer cancels the stream's task; the answer streamed so far is
saved (shielded from that cancellation) so that reopening the thread shows it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from functools import partial
from typing import Final

import anyio
import msgspec
from msgspec import UNSET

from tutorgpt_asgi.analytics.records import TurnMeter, insert_turn
from tutorgpt_asgi.chatkit.answer import AnswerBuilder
from tutorgpt_asgi.chatkit.envelope import decode_request
from tutorgpt_asgi.chatkit.errors import (
    ProtocolError,
    invalid_request,
    item_not_found,
    thread_not_found,
)
from tutorgpt_asgi.chatkit.responder import (
    HistoryMessage,
    Responder,
    ResponderError,
    Turn,
    TurnContext,
    Usage,
)
from tutorgpt_asgi.chatkit.sse import encode_event
from tutorgpt_asgi.chatkit.threads import CursorNotFound, ListPage, StoredItem, ThreadRecord, ThreadStore
from tutorgpt_asgi.chatkit.types import (
    AssistantMessageItem,
    ErrorEvent,
    ItemDone,
    ItemsFeedback,
    ItemsList,
    Page,
    StreamEvent,
    StreamOptions,
    StreamOptionsEvent,
    Thread,
    ThreadCreated,
    ThreadItem,
    ThreadsAddUserMessage,
    ThreadsCreate,
    ThreadsDelete,
    ThreadsGetById,
    ThreadsList,
    ThreadsRetryAfterItem,
    ThreadsUpdate,
    ThreadUpdated,
    UserContent,
    UserMessageInput,
    UserMessageItem,
)
from tutorgpt_asgi.clock import stored, utc_now
from tutorgpt_asgi.ids import new_id
from tutorgpt_asgi.ratelimit import RateLimiter, RateLimitUnavailable
from tutorgpt_asgi.sessions.service import AuthenticatedSession
from tutorgpt_asgi.store.database import Database

logger = logging.getLogger(__name__)

#: Longest message text (all text parts together) and quoted passage a reader may send.
MESSAGE_MAX_CHARS: Final = 20_000
QUOTE_MAX_CHARS: Final = 20_000
#: ``limit`` when the widget sends none, and the most one page may hold.
DEFAULT_PAGE_SIZE: Final = 20
MAX_PAGE_SIZE: Final = 100
#: Earlier messages handed to the responder (it trims further to its own character budget).
HISTORY_MAX_ITEMS: Final = 200
#: Bounds on work that runs after the answer or while the client is gone.
TITLE_TIMEOUT_S: Final = 15.0
PARTIAL_SAVE_TIMEOUT_S: Final = 5.0
TITLE_MAX_CHARS: Final = 80

_json = msgspec.json.Encoder()
_item_decoder = msgspec.json.Decoder(ThreadItem)
_EMPTY_OBJECT: Final = b"{}"


@dataclass(frozen=True, slots=True)
class JsonResult:
    """A non-streaming answer: a JSON body."""

    body: bytes


@dataclass(frozen=True, slots=True)
class StreamResult:
    """A streaming answer: ready-made SSE frames."""

    frames: AsyncIterator[bytes]


def message_text(content: Sequence[UserContent]) -> str:
    """The plain text of a user message (tags contribute their visible text)."""
    return "".join(part.text for part in content)


def _wire_thread(record: ThreadRecord, items: Page[msgspec.Raw] | None = None) -> Thread:
    title = UNSET if record.title is None else record.title
    return Thread(id=record.id, title=title, created_at=record.created_at, items=items or Page())


def _page_size(limit: int | None) -> int:
    return min(limit or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _history(items: Sequence[ThreadItem]) -> list[HistoryMessage]:
    history: list[HistoryMessage] = []
    for item in items:
        if isinstance(item, UserMessageItem):
            quoted = None if item.quoted_text is UNSET else item.quoted_text
            history.append(HistoryMessage("user", message_text(item.content), quoted))
        elif isinstance(item, AssistantMessageItem):
            history.append(HistoryMessage("assistant", "".join(p.text for p in item.content)))
    return history


def _fallback_title(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TITLE_MAX_CHARS else flat[: TITLE_MAX_CHARS - 1] + "…"


class ChatKitServer:
    """Serves the protocol for authenticated sessions; one instance per app."""

    def __init__(
        self,
        db: Database,
        responder: Responder,
        message_limiter: RateLimiter,
        *,
        ip_limiter: RateLimiter | None = None,
        model: str | None = None,
    ) -> None:
        self.store = ThreadStore(db)
        self.responder = responder
        self.message_limiter = message_limiter
        self.ip_limiter = ip_limiter
        #: The model name turn records carry (``None``: the offline tutor), for the cost report.
        self.model = model

    async def process(
        self, body: bytes, session: AuthenticatedSession, client_ip: Callable[[], str] = lambda: ""
    ) -> JsonResult | StreamResult:
        """Answer one protocol request; raises :class:`ProtocolError` before any stream starts.

        ``client_ip()`` is who sends it: messages are limited per session and per IP, since a
        new session is only a request away. A function, as only messages need it: working out
        the address behind trusted proxies was 6 % of a ``get_by_id`` request's CPU.
        """
        request = decode_request(body)
        if isinstance(request, ThreadsCreate):
            return await self._create(request, session, client_ip)
        if isinstance(request, ThreadsAddUserMessage):
            return await self._add_user_message(request, session, client_ip)
        if isinstance(request, ThreadsRetryAfterItem):
            return await self._retry(request, session, client_ip)
        if isinstance(request, ThreadsGetById):
            return await self._get_by_id(request, session)
        if isinstance(request, ThreadsList):
            return await self._list_threads(request, session)
        if isinstance(request, ItemsList):
            return await self._list_items(request, session)
        if isinstance(request, ThreadsUpdate):
            return await self._update(request, session)
        if isinstance(request, ThreadsDelete):
            return await self._delete(request, session)
        return await self._feedback(request, session)

    # --- streaming requests ------------------------------------------------------------------

    async def _create(
        self, request: ThreadsCreate, session: AuthenticatedSession, client_ip: Callable[[], str]
    ) -> StreamResult:
        user_input = request.params.input
        _check_input(user_input)
        refused = await self._rate_limited(session, client_ip)
        if refused is not None:
            return refused
        thread = ThreadRecord(id=new_id("thr"), title=None, created_at=stored(utc_now()))
        user_item = _user_item(thread.id, user_input)
        await self.store.create_thread(session.student_id, thread, user_item)
        prelude: list[StreamEvent] = [
            ThreadCreated(thread=_wire_thread(thread)),
            ItemDone(item=user_item),
        ]
        return StreamResult(self._answer(session, thread, user_item, [], prelude))

    async def _add_user_message(
        self, request: ThreadsAddUserMessage, session: AuthenticatedSession, client_ip: Callable[[], str]
    ) -> StreamResult:
        user_input = request.params.input
        _check_input(user_input)
        thread = await self._thread(session, request.params.thread_id)
        refused = await self._rate_limited(session, client_ip)
        if refused is not None:
            return refused
        earlier = await self._items(thread.id, HISTORY_MAX_ITEMS)
        user_item = _user_item(thread.id, user_input)
        await self.store.add_item(session.student_id, user_item)
        prelude: list[StreamEvent] = [ItemDone(item=user_item)]
        return StreamResult(self._answer(session, thread, user_item, earlier, prelude))

    async def _retry(
        self, request: ThreadsRetryAfterItem, session: AuthenticatedSession, client_ip: Callable[[], str]
    ) -> StreamResult:
        thread = await self._thread(session, request.params.thread_id)
        stored = await self.store.load_item(thread.id, request.params.item_id)
        if stored is None:
            raise item_not_found("params.item_id")
        user_item = _item_decoder.decode(stored.json)
        if not isinstance(user_item, UserMessageItem):
            raise invalid_request(
                "NOT_A_USER_MESSAGE", "Only an answer to a user message can be retried", "params.item_id"
            )
        refused = await self._rate_limited(session, client_ip)
        if refused is not None:
            return refused
        await self.store.delete_items_after(thread.id, stored.seq)
        earlier = await self._items(thread.id, HISTORY_MAX_ITEMS + 1)
        return StreamResult(self._answer(session, thread, user_item, earlier[:-1], []))

    async def _rate_limited(
        self, session: AuthenticatedSession, client_ip: Callable[[], str]
    ) -> StreamResult | None:
        """A one-event stream the widget shows when the session or its IP sends too many messages.

        An unreachable limit storage is a 503 before any stream starts (the widget retries).
        """
        try:
            decision = await self.message_limiter.hit(session.session_id)
            if decision.allowed and self.ip_limiter is not None and (address := client_ip()):
                decision = await self.ip_limiter.hit(address)
        except RateLimitUnavailable:
            raise ProtocolError(
                503, "Service unavailable", "RATE_LIMIT_UNAVAILABLE",
                "The tutor cannot check its message limits right now. Please try again shortly.",
            ) from None
        if decision.allowed:
            return None
        logger.info("Message rate limit reached for session %s", session.session_id)
        error = ErrorEvent(
            code="custom",
            allow_retry=True,
            message=(
                "You are sending messages faster than the tutor can answer. "
                f"Please wait {decision.retry_after} seconds and try again."
            ),
        )
        return StreamResult(_frames([error]))

    async def _answer(
        self,
        session: AuthenticatedSession,
        thread: ThreadRecord,
        user_item: UserMessageItem,
        earlier: Sequence[ThreadItem],
        prelude: Sequence[StreamEvent],
    ) -> AsyncIterator[bytes]:
        """The SSE frames of one turn: prelude, stream options, the answer, then the title."""
        turn = Turn(
            thread_id=thread.id,
            user_text=message_text(user_item.content),
            quoted_text=None if user_item.quoted_text is UNSET else user_item.quoted_text,
            context=TurnContext(
                session_id=session.session_id,
                student_id=session.student_id,
                student_name=session.student_name,
                learning_level=session.learning_level,
                location=session.location,
            ),
            history=tuple(_history(earlier)),
        )
        for opening in prelude:
            yield encode_event(opening)
        yield encode_event(StreamOptionsEvent(stream_options=StreamOptions(allow_cancel=True)))
        answer = AnswerBuilder(thread.id)
        follow_up = any(isinstance(item, UserMessageItem) for item in earlier)
        meter = TurnMeter(turn, user_item.id, follow_up=follow_up, model=self.model)
        failure: ErrorEvent | None = None
        try:
            async with aclosing(self.responder.respond(turn)) as events:
                async for responder_event in events:
                    meter.observe(responder_event)
                    if isinstance(responder_event, Usage):
                        _log_usage(thread.id, responder_event)
                        continue
                    for out in answer.apply(responder_event):
                        yield encode_event(out)
        except ResponderError as error:
            failure = ErrorEvent(code="custom", allow_retry=error.allow_retry, message=error.user_message)
        except Exception:
            logger.exception("The responder failed in thread %s", thread.id)
            failure = _generic_failure()
        except BaseException:  # cancelled or closed: the reader went away mid-answer
            if answer.has_content:
                await self._save_partial(session.student_id, answer, meter)
            raise
        if answer.item is not None:
            final, closing = answer.finish()
            if not await self._save(session.student_id, final, meter):
                yield encode_event(_generic_failure())
                return
            for event in closing:
                yield encode_event(event)
            yield encode_event(ItemDone(item=final))
        if failure is not None:
            yield encode_event(failure)
            if answer.item is None:  # the question still counts, with no answer to rate
                await self._record_unanswered(meter)
        elif answer.item is not None and thread.title is None:
            title = await self._title(turn)
            if await self.store.set_title(session.student_id, thread.id, title):
                titled = ThreadRecord(id=thread.id, title=title, created_at=thread.created_at)
                yield encode_event(ThreadUpdated(thread=_wire_thread(titled)))

    async def _save(self, student_id: str, answer: AssistantMessageItem, meter: TurnMeter) -> bool:
        """Persist an answer and its turn record in one write; ``False`` if that failed (e.g.
        the thread was deleted meanwhile)."""
        record = meter.record(answer.id)
        try:
            await self.store.add_item(student_id, answer, also=partial(insert_turn, record=record))
        except Exception:
            logger.exception("Could not save the answer in thread %s", answer.thread_id)
            return False
        return True

    async def _save_partial(self, student_id: str, answer: AnswerBuilder, meter: TurnMeter) -> None:
        """Persist what was streamed, even though this task is being cancelled."""
        final, _ = answer.finish()
        with anyio.move_on_after(PARTIAL_SAVE_TIMEOUT_S, shield=True):
            if await self._save(student_id, final, meter):
                logger.info("Saved a partial answer in thread %s", final.thread_id)

    async def _record_unanswered(self, meter: TurnMeter) -> None:
        """Record a turn that ended in an error before any answer; a failure here is logged only."""
        try:
            await self.store.db.write(partial(insert_turn, record=meter.record(None)))
        except Exception:
            logger.exception("Could not record an unanswered turn")

    async def _title(self, turn: Turn) -> str:
        """The responder's title, or the question itself if titling fails or takes too long."""
        try:
            with anyio.fail_after(TITLE_TIMEOUT_S):
                title = (await self.responder.title(turn)).strip()
        except Exception:
            logger.exception("Titling thread %s failed; using the question", turn.thread_id)
            title = ""
        return _fallback_title(title or turn.user_text)

    # --- JSON requests -----------------------------------------------------------------------

    async def _get_by_id(self, request: ThreadsGetById, session: AuthenticatedSession) -> JsonResult:
        """The thread with its first page of items, oldest first, as the reference server does.

        Clients page on with ``items.list`` from ``after``; nothing is silently dropped.
        """
        found = await self.store.thread_items(
            session.student_id, request.params.thread_id, limit=DEFAULT_PAGE_SIZE, order="asc", after=None
        )
        if found is None:
            raise thread_not_found()
        thread, listing = found
        return JsonResult(_json.encode(_wire_thread(thread, _item_page(listing))))

    async def _list_threads(self, request: ThreadsList, session: AuthenticatedSession) -> JsonResult:
        params = request.params
        try:
            listing = await self.store.list_threads(
                session.student_id, limit=_page_size(params.limit), order=params.order, after=params.after
            )
        except CursorNotFound:
            raise _bad_cursor() from None
        threads = [_wire_thread(record) for record in listing.rows]
        page = Page(data=threads, has_more=listing.has_more)
        if listing.has_more:
            page.after = threads[-1].id
        return JsonResult(_json.encode(page))

    async def _list_items(self, request: ItemsList, session: AuthenticatedSession) -> JsonResult:
        params = request.params
        try:
            found = await self.store.thread_items(
                session.student_id, params.thread_id, limit=_page_size(params.limit), order=params.order,
                after=params.after,
            )
        except CursorNotFound:
            raise _bad_cursor() from None
        if found is None:
            raise thread_not_found()
        return JsonResult(_json.encode(_item_page(found[1])))

    async def _update(self, request: ThreadsUpdate, session: AuthenticatedSession) -> JsonResult:
        title = " ".join(request.params.title.split())
        if not title:
            raise invalid_request("INVALID_TITLE", "The title must not be empty", "params.title")
        thread = await self._thread(session, request.params.thread_id)
        if not await self.store.set_title(session.student_id, thread.id, title):
            raise thread_not_found()  # deleted meanwhile
        renamed = ThreadRecord(id=thread.id, title=title, created_at=thread.created_at)
        return JsonResult(_json.encode(_wire_thread(renamed)))

    async def _delete(self, request: ThreadsDelete, session: AuthenticatedSession) -> JsonResult:
        """Idempotent, as in the reference: deleting a missing (or another student's) thread is
        the same ``{}`` as deleting one's own, so a retried delete never reports an error."""
        await self.store.delete_thread(session.student_id, request.params.thread_id)
        return JsonResult(_EMPTY_OBJECT)

    async def _feedback(self, request: ItemsFeedback, session: AuthenticatedSession) -> JsonResult:
        params = request.params
        thread = await self._thread(session, params.thread_id)
        saved = await self.store.save_feedback(
            student_id=session.student_id,
            session_id=session.session_id,
            thread_id=thread.id,
            item_ids=params.item_ids,
            kind=params.kind,
        )
        if not saved:
            raise item_not_found("params.item_ids")
        return JsonResult(_EMPTY_OBJECT)

    # --- helpers -----------------------------------------------------------------------------

    async def _thread(self, session: AuthenticatedSession, thread_id: str) -> ThreadRecord:
        thread = await self.store.load_thread(session.student_id, thread_id)
        if thread is None:
            raise thread_not_found()
        return thread

    async def _items(self, thread_id: str, limit: int) -> list[ThreadItem]:
        return [_item_decoder.decode(row.json) for row in await self.store.latest_items(thread_id, limit)]


def _check_input(user_input: UserMessageInput) -> None:
    """Refuse messages the tutor cannot answer, before anything is stored or streamed."""
    text = message_text(user_input.content)
    if not text.strip():
        raise invalid_request("EMPTY_MESSAGE", "The message has no text", "params.input.content")
    if len(text) > MESSAGE_MAX_CHARS:
        raise ProtocolError(
            413,
            "Payload too large",
            "MESSAGE_TOO_LONG",
            f"The message must be at most {MESSAGE_MAX_CHARS} characters (got {len(text)})",
            "params.input.content",
        )
    if isinstance(user_input.quoted_text, str) and len(user_input.quoted_text) > QUOTE_MAX_CHARS:
        raise ProtocolError(
            413,
            "Payload too large",
            "QUOTE_TOO_LONG",
            f"The quoted text must be at most {QUOTE_MAX_CHARS} characters",
            "params.input.quoted_text",
        )
    if user_input.attachments:
        raise invalid_request(
            "ATTACHMENTS_NOT_SUPPORTED", "Attachments are not supported", "params.input.attachments"
        )


def _user_item(thread_id: str, user_input: UserMessageInput) -> UserMessageItem:
    item = UserMessageItem(
        id=new_id("msg"),
        thread_id=thread_id,
        created_at=stored(utc_now()),
        content=user_input.content,
        inference_options=user_input.inference_options,
    )
    if isinstance(user_input.quoted_text, str):
        item.quoted_text = user_input.quoted_text
    return item


def _log_usage(thread_id: str, usage: Usage) -> None:
    """Token usage of one model call, for operators (counts and ids only, never text)."""
    logger.info(
        "Model call in thread %s used %d prompt and %d completion tokens",
        thread_id, usage.prompt_tokens, usage.completion_tokens,
        extra={"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens},
    )


def _generic_failure() -> ErrorEvent:
    """The SDK's error for an unexpected failure: the widget shows its own text and a retry."""
    return ErrorEvent(code="stream.error", allow_retry=True)


def _item_page(listing: ListPage[StoredItem]) -> Page[msgspec.Raw]:
    """A page of stored items, their wire JSON as is; ``after`` names the last when more follow."""
    page = Page(data=[msgspec.Raw(row.json) for row in listing.rows], has_more=listing.has_more)
    if listing.has_more:
        page.after = listing.rows[-1].id
    return page


def _bad_cursor() -> ProtocolError:
    return invalid_request("INVALID_CURSOR", "'after' does not name an element of this list", "params.after")


async def _frames(events: Sequence[StreamEvent]) -> AsyncIterator[bytes]:
    for event in events:
        yield encode_event(event)
