"""TutorGPT: a self-hosted ChatKit tutor backend for Docusaurus books, as a Starlette sub-app.

``create_app`` and the mount helpers are imported on first use: the CLI's ``index`` and
``search`` commands never need the web stack (or the ``openai`` SDK, ~0.9 s to import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from tutorgpt_asgi.sessions.identity import Identity

if TYPE_CHECKING:
    from tutorgpt_asgi.app import create_app
    from tutorgpt_asgi.mounting import TutorGPTMount, mount

__all__ = ["Identity", "TutorGPTMount", "__version__", "create_app", "mount"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from tutorgpt_asgi.app import create_app

        return create_app
    if name in ("TutorGPTMount", "mount"):
        from tutorgpt_asgi import mounting

        return getattr(mounting, name)
    raise AttributeError(f"module 'tutorgpt_asgi' has no attribute {name!r}")
