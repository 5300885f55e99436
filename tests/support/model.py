"""The scripted OpenAI-compatible model as the tests see it: its script and its served URL.

The fixtures that start it (once per run) live in ``tests/conftest.py``; this type lives here so
test modules can name it without importing a conftest.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutorgpt_asgi.testing.openai_server import ScriptedModel


@dataclass(frozen=True)
class ModelServer:
    """The scripted model and the base URL it is served on."""

    model: ScriptedModel
    base_url: str
