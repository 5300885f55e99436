"""Turning a responder's small events into the assistant message's ChatKit events.

The builder holds the answer streamed so far, so the server can finish it normally or save it
as a partial answer when the reader goes away mid-stream.
"""

from __future__ import annotations

from msgspec import UNSET

from tutorgpt_asgi.chatkit.responder import (
    Citation,
    Grounding,
    Notice,
    Progress,
    ResponderEvent,
    TextDelta,
    Usage,
)
from tutorgpt_asgi.chatkit.types import (
    Annotation,
    AssistantMessageItem,
    ContentPartAdded,
    ContentPartAnnotationAdded,
    ContentPartDone,
    ContentPartTextDelta,
    ItemAdded,
    ItemUpdated,
    NoticeEvent,
    OutputText,
    ProgressUpdate,
    StreamEvent,
    UrlSource,
    progress_icon,
)
from tutorgpt_asgi.clock import stored, utc_now
from tutorgpt_asgi.ids import new_id


class AnswerBuilder:
    """The assistant message of one turn: opened on its first text or citation."""

    def __init__(self, thread_id: str) -> None:
        self.thread_id = thread_id
        self.item: AssistantMessageItem | None = None
        self._chunks: list[str] = []
        self._length = 0
        self._annotations: list[Annotation] = []

    @property
    def has_content(self) -> bool:
        """Whether there is anything worth saving."""
        return bool(self._length or self._annotations)

    def apply(self, event: ResponderEvent) -> list[StreamEvent]:
        """The ChatKit events for one responder event, in order."""
        if isinstance(event, Progress):
            return [ProgressUpdate(text=event.text, icon=progress_icon(event.icon))]
        if isinstance(event, Notice):
            return [NoticeEvent(level=event.level, message=event.message, title=event.title or UNSET)]
        if isinstance(event, Usage | Grounding):  # recorded by the server, never sent
            return []
        opened = self._open()
        if isinstance(event, TextDelta):
            if not event.text:
                return opened
            self._chunks.append(event.text)
            self._length += len(event.text)
            return [*opened, self._update(ContentPartTextDelta(content_index=0, delta=event.text))]
        if isinstance(event, Citation):
            annotation = Annotation(
                source=UrlSource(title=event.title, url=event.url), index=self._length
            )
            self._annotations.append(annotation)
            update = ContentPartAnnotationAdded(
                content_index=0,
                annotation_index=len(self._annotations) - 1,
                annotation=annotation,
            )
            return [*opened, self._update(update)]
        raise TypeError(f"unknown responder event {event!r}")

    def finish(self) -> tuple[AssistantMessageItem, list[StreamEvent]]:
        """The final message and the ``content_part.done`` event that closes its text."""
        assert self.item is not None, "finish() needs an opened answer"
        content = OutputText(text="".join(self._chunks), annotations=list(self._annotations))
        item = AssistantMessageItem(
            id=self.item.id,
            thread_id=self.thread_id,
            created_at=self.item.created_at,
            content=[content],
        )
        return item, [self._update(ContentPartDone(content_index=0, content=content))]

    def _open(self) -> list[StreamEvent]:
        if self.item is not None:
            return []
        self.item = AssistantMessageItem(
            id=new_id("msg"), thread_id=self.thread_id, created_at=stored(utc_now())
        )
        return [
            ItemAdded(item=self.item),
            self._update(ContentPartAdded(content_index=0, content=OutputText(text=""))),
        ]

    def _update(
        self,
        update: ContentPartAdded | ContentPartTextDelta | ContentPartAnnotationAdded | ContentPartDone,
    ) -> ItemUpdated:
        assert self.item is not None
        return ItemUpdated(item_id=self.item.id, update=update)
