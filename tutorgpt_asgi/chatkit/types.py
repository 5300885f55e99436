"""The ChatKit wire protocol as msgspec structs: requests, objects and stream events.

Every union is tagged on ``type`` like the protocol itself. Decoding is tolerant because the
widget is evergreen and cannot be pinned: unknown fields are ignored and the fields the widget
may leave out (``attachments``, ``inference_options``, ``quoted_text``, ``metadata``) have
defaults. Encoding mirrors the reference SDK's ``exclude_none``: optional scalars default to
``UNSET`` and are omitted, while empty lists and objects (``annotations: []``, ``metadata: {}``)
are always written, which is why no struct here uses ``omit_defaults``.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

import msgspec
from msgspec import UNSET, Meta, UnsetType

T = TypeVar("T")

#: Longest id the server accepts in params; its own ids are far shorter.
ID_MAX_CHARS = 128
#: Longest thread title accepted by ``threads.update``.
TITLE_MAX_CHARS = 200

Id = Annotated[str, Meta(min_length=1, max_length=ID_MAX_CHARS)]
Order = Literal["asc", "desc"]
FeedbackKind = Literal["positive", "negative"]


def _none_to_unset(struct: msgspec.Struct, names: tuple[str, ...]) -> None:
    """Requests may carry explicit nulls; the wire omits them, so they become UNSET."""
    for name in names:
        if getattr(struct, name) is None:
            setattr(struct, name, UNSET)


# --- content -------------------------------------------------------------------------------


class ToolChoice(msgspec.Struct):
    """A composer tool the reader picked (e.g. a "quiz me" mode)."""

    id: str


class InferenceOptions(msgspec.Struct):
    """The composer's tool and model choice; ``{}`` when the reader chose nothing."""

    tool_choice: ToolChoice | None | UnsetType = UNSET
    model: str | None | UnsetType = UNSET

    def __post_init__(self) -> None:
        _none_to_unset(self, ("tool_choice", "model"))


class InputText(msgspec.Struct, tag="input_text", tag_field="type"):
    """Plain text typed by the reader."""

    text: str


class InputTag(msgspec.Struct, tag="input_tag", tag_field="type"):
    """An @-mention entity in the reader's message."""

    id: str
    text: str
    data: dict[str, Any] = {}
    group: str | None | UnsetType = UNSET
    interactive: bool = False

    def __post_init__(self) -> None:
        _none_to_unset(self, ("group",))


UserContent = InputText | InputTag


class UrlSource(msgspec.Struct, tag="url", tag_field="type"):
    """A citation into the book (or any web page)."""

    title: str
    url: str
    attribution: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    timestamp: str | UnsetType = UNSET
    group: str | UnsetType = UNSET


class FileSource(msgspec.Struct, tag="file", tag_field="type"):
    """A citation of a file."""

    title: str
    filename: str
    description: str | UnsetType = UNSET
    timestamp: str | UnsetType = UNSET
    group: str | UnsetType = UNSET


class EntitySource(msgspec.Struct, tag="entity", tag_field="type"):
    """A citation of an application entity."""

    title: str
    id: str
    icon: str | UnsetType = UNSET
    label: str | UnsetType = UNSET
    inline_label: str | UnsetType = UNSET
    interactive: bool = False
    data: dict[str, Any] = {}
    description: str | UnsetType = UNSET
    timestamp: str | UnsetType = UNSET
    group: str | UnsetType = UNSET


Source = UrlSource | FileSource | EntitySource


class Annotation(msgspec.Struct, tag="annotation", tag_field="type"):
    """A citation marker; ``index`` is the character offset in the text where it goes."""

    source: Source
    index: int | UnsetType = UNSET


class OutputText(msgspec.Struct, tag="output_text", tag_field="type"):
    """One content part of an assistant message (markdown)."""

    text: str
    annotations: list[Annotation] = []


# --- thread items and threads ----------------------------------------------------------------


class UserMessageItem(msgspec.Struct, tag="user_message", tag_field="type", kw_only=True):
    """A stored user message; ``attachments`` holds full objects (always empty here)."""

    id: str
    thread_id: str
    created_at: str
    content: list[UserContent]
    attachments: list[dict[str, Any]] = []
    quoted_text: str | UnsetType = UNSET
    inference_options: InferenceOptions = msgspec.field(default_factory=InferenceOptions)


class AssistantMessageItem(msgspec.Struct, tag="assistant_message", tag_field="type", kw_only=True):
    """A stored (or streaming) assistant answer."""

    id: str
    thread_id: str
    created_at: str
    content: list[OutputText] = []


ThreadItem = UserMessageItem | AssistantMessageItem


class ActiveStatus(msgspec.Struct, tag="active", tag_field="type"):
    """The only status TutorGPT's threads have: the composer stays enabled."""


class Page(msgspec.Struct, Generic[T]):
    """A page of a list; ``after`` is the cursor for the next page (omitted on the last)."""

    data: list[T] = []
    has_more: bool = False
    after: str | UnsetType = UNSET


class Thread(msgspec.Struct, kw_only=True):
    """A thread on the wire. Items are pre-encoded JSON so a stored item is sent unchanged."""

    id: str
    title: str | UnsetType = UNSET
    created_at: str
    status: ActiveStatus = msgspec.field(default_factory=ActiveStatus)
    metadata: dict[str, Any] = {}
    items: Page[msgspec.Raw] = msgspec.field(default_factory=Page)


# --- requests --------------------------------------------------------------------------------


class UserMessageInput(msgspec.Struct):
    """The reader's message in ``threads.create`` / ``threads.add_user_message``."""

    content: list[UserContent]
    attachments: list[str] = []
    quoted_text: str | None | UnsetType = UNSET
    inference_options: InferenceOptions = msgspec.field(default_factory=InferenceOptions)

    def __post_init__(self) -> None:
        _none_to_unset(self, ("quoted_text",))


class ThreadCreateParams(msgspec.Struct):
    input: UserMessageInput


class ThreadAddUserMessageParams(msgspec.Struct):
    thread_id: Id
    input: UserMessageInput


class ThreadRetryAfterItemParams(msgspec.Struct):
    thread_id: Id
    item_id: Id


class ThreadGetByIdParams(msgspec.Struct):
    thread_id: Id


class ThreadListParams(msgspec.Struct):
    limit: Annotated[int, Meta(ge=0)] | None = None  # 0 = the default, as in the reference
    order: Order = "desc"
    after: Id | None = None


class ItemsListParams(msgspec.Struct):
    thread_id: Id
    limit: Annotated[int, Meta(ge=0)] | None = None  # 0 = the default, as in the reference
    order: Order = "desc"
    after: Id | None = None


class ThreadUpdateParams(msgspec.Struct):
    thread_id: Id
    title: Annotated[str, Meta(max_length=TITLE_MAX_CHARS)]


class ThreadDeleteParams(msgspec.Struct):
    thread_id: Id


class ItemFeedbackParams(msgspec.Struct):
    thread_id: Id
    item_ids: Annotated[list[Id], Meta(min_length=1, max_length=100)]
    kind: FeedbackKind


class _Request(msgspec.Struct, tag_field="type", kw_only=True):
    """The envelope: ``type`` (the tag), ``params`` and free-form ``metadata``."""

    metadata: dict[str, Any] = {}


class ThreadsCreate(_Request, tag="threads.create"):
    params: ThreadCreateParams


class ThreadsAddUserMessage(_Request, tag="threads.add_user_message"):
    params: ThreadAddUserMessageParams


class ThreadsRetryAfterItem(_Request, tag="threads.retry_after_item"):
    params: ThreadRetryAfterItemParams


class ThreadsGetById(_Request, tag="threads.get_by_id"):
    params: ThreadGetByIdParams


class ThreadsList(_Request, tag="threads.list"):
    params: ThreadListParams = msgspec.field(default_factory=ThreadListParams)


class ItemsList(_Request, tag="items.list"):
    params: ItemsListParams


class ThreadsUpdate(_Request, tag="threads.update"):
    params: ThreadUpdateParams


class ThreadsDelete(_Request, tag="threads.delete"):
    params: ThreadDeleteParams


class ItemsFeedback(_Request, tag="items.feedback"):
    params: ItemFeedbackParams


StreamingRequest = ThreadsCreate | ThreadsAddUserMessage | ThreadsRetryAfterItem
JsonRequest = (
    ThreadsGetById | ThreadsList | ItemsList | ThreadsUpdate | ThreadsDelete | ItemsFeedback
)
ChatKitRequest = StreamingRequest | JsonRequest

#: Types the reference SDK knows but TutorGPT does not serve (the widget only sends them when
#: an option TutorGPT leaves off is enabled); they get a 400 that says so.
UNSUPPORTED_REQUEST_TYPES = frozenset(
    {
        "threads.add_client_tool_output",
        "threads.custom_action",
        "threads.sync_custom_action",
        "threads.add_structured_input",
        "attachments.create",
        "attachments.delete",
        "input.transcribe",
    }
)
SUPPORTED_REQUEST_TYPES = frozenset(
    cls.__struct_config__.tag
    for cls in (
        ThreadsCreate,
        ThreadsAddUserMessage,
        ThreadsRetryAfterItem,
        ThreadsGetById,
        ThreadsList,
        ItemsList,
        ThreadsUpdate,
        ThreadsDelete,
        ItemsFeedback,
    )
)


class EnvelopeHead(msgspec.Struct):
    """Just the envelope's ``type``, decoded to explain why a body was refused."""

    type: str | UnsetType = UNSET


# --- stream events ---------------------------------------------------------------------------


class ContentPartAdded(msgspec.Struct, tag="assistant_message.content_part.added", tag_field="type"):
    content_index: int
    content: OutputText


class ContentPartTextDelta(
    msgspec.Struct, tag="assistant_message.content_part.text_delta", tag_field="type"
):
    content_index: int
    delta: str


class ContentPartAnnotationAdded(
    msgspec.Struct, tag="assistant_message.content_part.annotation_added", tag_field="type"
):
    content_index: int
    annotation_index: int
    annotation: Annotation


class ContentPartDone(msgspec.Struct, tag="assistant_message.content_part.done", tag_field="type"):
    content_index: int
    content: OutputText


ItemUpdate = ContentPartAdded | ContentPartTextDelta | ContentPartAnnotationAdded | ContentPartDone


class ThreadCreated(msgspec.Struct, tag="thread.created", tag_field="type"):
    thread: Thread


class ThreadUpdated(msgspec.Struct, tag="thread.updated", tag_field="type"):
    thread: Thread


class ItemAdded(msgspec.Struct, tag="thread.item.added", tag_field="type"):
    item: ThreadItem


class ItemUpdated(msgspec.Struct, tag="thread.item.updated", tag_field="type"):
    item_id: str
    update: ItemUpdate


class ItemDone(msgspec.Struct, tag="thread.item.done", tag_field="type"):
    item: ThreadItem


class StreamOptions(msgspec.Struct):
    allow_cancel: bool


class StreamOptionsEvent(msgspec.Struct, tag="stream_options", tag_field="type"):
    stream_options: StreamOptions


class ProgressUpdate(msgspec.Struct, tag="progress_update", tag_field="type"):
    text: str
    icon: str | UnsetType = UNSET


class ErrorEvent(msgspec.Struct, tag="error", tag_field="type"):
    """``code`` is ``custom`` (the widget shows ``message``) or ``stream.error`` (its own text)."""

    code: Literal["custom", "stream.error"]
    allow_retry: bool
    message: str | UnsetType = UNSET


class NoticeEvent(msgspec.Struct, tag="notice", tag_field="type"):
    level: Literal["info", "warning", "danger"]
    message: str
    title: str | UnsetType = UNSET


StreamEvent = (
    ThreadCreated
    | ThreadUpdated
    | ItemAdded
    | ItemUpdated
    | ItemDone
    | StreamOptionsEvent
    | ProgressUpdate
    | ErrorEvent
    | NoticeEvent
)

#: Icons the widget accepts for ``progress_update`` (``lucide:*`` / ``vendor:*`` also pass).
PROGRESS_ICONS = frozenset(
    "agent analytics atom batch bolt book-open book-closed book-clock bug calendar chart check "
    "check-circle check-circle-filled chevron-left chevron-right circle-question clock compass "
    "confetti cube desktop document dot dots-horizontal dots-vertical empty-circle external-link "
    "globe keys lab images info lifesaver lightbulb mail map-pin maps mobile name notebook "
    "notebook-pencil page-blank phone play plus profile profile-card reload star star-filled "
    "search sparkle sparkle-double square-code square-image square-text suitcase "
    "settings-slider user wreath write write-alt write-alt2".split()
)


def progress_icon(icon: str | None) -> str | UnsetType:
    """The icon if the widget knows it, else UNSET (an unknown name would fail validation)."""
    if icon and (icon in PROGRESS_ICONS or icon.startswith(("lucide:", "vendor:"))):
        return icon
    return UNSET
