"""Request bodies built with openai-chatkit's own request models, as the widget would send them."""

from __future__ import annotations

from typing import Literal

from chatkit import types as ck


def _input(text: str, quoted_text: str | None = None) -> ck.UserMessageInput:
    return ck.UserMessageInput(
        content=[ck.UserMessageTextContent(text=text)],
        attachments=[],
        quoted_text=quoted_text,
        inference_options=ck.InferenceOptions(),
    )


def create(text: str, quoted_text: str | None = None) -> str:
    return ck.ThreadsCreateReq(params=ck.ThreadCreateParams(input=_input(text, quoted_text))).model_dump_json()


def add(thread_id: str, text: str, quoted_text: str | None = None) -> str:
    params = ck.ThreadAddUserMessageParams(thread_id=thread_id, input=_input(text, quoted_text))
    return ck.ThreadsAddUserMessageReq(params=params).model_dump_json()


def retry(thread_id: str, item_id: str) -> str:
    params = ck.ThreadRetryAfterItemParams(thread_id=thread_id, item_id=item_id)
    return ck.ThreadsRetryAfterItemReq(params=params).model_dump_json()


def get(thread_id: str) -> str:
    return ck.ThreadsGetByIdReq(params=ck.ThreadGetByIdParams(thread_id=thread_id)).model_dump_json()


def list_threads(limit: int | None = None, order: Literal["asc", "desc"] = "desc", after: str | None = None) -> str:
    params = ck.ThreadListParams(limit=limit, order=order, after=after)
    return ck.ThreadsListReq(params=params).model_dump_json()


def list_items(
    thread_id: str, limit: int | None = None, order: Literal["asc", "desc"] = "desc", after: str | None = None
) -> str:
    params = ck.ItemsListParams(thread_id=thread_id, limit=limit, order=order, after=after)
    return ck.ItemsListReq(params=params).model_dump_json()


def rename(thread_id: str, title: str) -> str:
    return ck.ThreadsUpdateReq(params=ck.ThreadUpdateParams(thread_id=thread_id, title=title)).model_dump_json()


def delete(thread_id: str) -> str:
    return ck.ThreadsDeleteReq(params=ck.ThreadDeleteParams(thread_id=thread_id)).model_dump_json()


def feedback(thread_id: str, item_ids: list[str], kind: Literal["positive", "negative"]) -> str:
    params = ck.ItemFeedbackParams(thread_id=thread_id, item_ids=item_ids, kind=kind)
    return ck.ItemsFeedbackReq(params=params).model_dump_json()
