"""TutorGPT: a self-hosted ChatKit tutor backend for Docusaurus books, as a Starlette sub-app."""

__version__ = "0.1.0"

from tutorgpt_asgi.app import create_app  # noqa: E402  (after __version__, which app modules read)
from tutorgpt_asgi.mount import TutorGPTMount, mount  # noqa: E402

__all__ = ["TutorGPTMount", "__version__", "create_app", "mount"]
