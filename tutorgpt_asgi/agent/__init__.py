"""The TutorGPT agent: the model tutor when a model is configured, the offline tutor otherwise."""

from __future__ import annotations

from tutorgpt_asgi.agent.model import ModelTutor
from tutorgpt_asgi.agent.offline import OfflineTutor
from tutorgpt_asgi.agent.tools import StudentProfiles
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.settings import Settings

__all__ = ["ModelTutor", "OfflineTutor", "build_responder"]


def build_responder(
    settings: Settings, book_index: BookIndex, sessions: StudentProfiles
) -> ModelTutor | OfflineTutor:
    """The responder for these settings; both kinds have ``aclose()`` for shutdown."""
    if settings.model_configured:
        return ModelTutor(settings, book_index, sessions)
    return OfflineTutor(book_index)
