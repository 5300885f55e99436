"""`tutorgpt demo`: the example book and its tutor, served by one process on one port.

The demo is the project's first impression, so it mirrors a real deployment rather than a
dev-server proxy: one host Starlette app serves the built Docusaurus site as static files at
``/`` and mounts the TutorGPT sub-app at ``/api/chatkit``, exactly as a book author would.
Starlette never runs a mounted app's lifespan, so the host's lifespan runs the sub-app's.

State lives in SQLite files under ``.demo/`` (git-ignored) so a second run keeps the reader's
threads, and the book is re-indexed from ``build/tutorgpt/book-index.json`` at every start.
The offline tutor answers unless ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set (the
settings decide that; the demo only reports which one is in use).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from tutorgpt_asgi.settings import SettingsError, load_settings

#: Where the sub-app is mounted; the example site's plugin config points here.
BACKEND_PATH = "/api/chatkit"
#: The plugin's export inside a built site (the plugin's default ``export.path``).
BOOK_INDEX = Path("build") / "tutorgpt" / "book-index.json"
#: The source checkout this module lives in (an editable install); the default site's parent.
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Inputs of the site build: a change to any of them makes the built site stale.
#: The config file names Docusaurus looks for, in its order.
CONFIG_NAMES = (
    "docusaurus.config.ts", "docusaurus.config.mts", "docusaurus.config.cts",
    "docusaurus.config.js", "docusaurus.config.mjs", "docusaurus.config.cjs",
)
SITE_INPUTS = (
    "docs", "src", "static", "versioned_docs", "versioned_sidebars", "versions.json", "i18n",
    *CONFIG_NAMES, "sidebars.js", "sidebars.ts", "package.json",
)
#: The subcommand's one-line description in ``--help``.
DESCRIPTION = "Serve the example book and its tutor from one process: the site at /, the backend at /api/chatkit."
#: How long a site build may take before the demo gives up (2 shared cores, cold caches).
BUILD_TIMEOUT_SECONDS = 600


class DemoError(Exception):
    """A problem the reader can fix; ``code`` is stable so scripts and docs can refer to it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _files_under(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (p for p in path.rglob("*") if p.is_file())


def newest_mtime(paths: Iterable[Path]) -> float:
    """The latest modification time among the files at or under ``paths`` (0 when none)."""
    return max((p.stat().st_mtime for p in _files_under(paths)), default=0.0)


def site_is_stale(site_dir: Path) -> bool:
    """True when the book index is missing or older than any input of the site build.

    The plugin's compiled output counts as an input too: a rebuilt plugin changes the export.
    """
    index = site_dir / BOOK_INDEX
    if not index.is_file():
        return True
    inputs = [site_dir / name for name in SITE_INPUTS]
    inputs.append(site_dir.parent / "docusaurus-plugin" / "lib")
    return newest_mtime(inputs) > index.stat().st_mtime


def build_site(site_dir: Path) -> None:
    """Run the site's own ``npm run build`` (Docusaurus), which also writes the book index."""
    npm = shutil.which("npm")
    if npm is None:
        raise DemoError("NPM_NOT_FOUND", "npm is needed to build the example site; install Node.js 20")
    print(f"Building the book in {site_dir} (docusaurus build)...", flush=True)
    try:
        subprocess.run([npm, "run", "build"], cwd=site_dir, check=True, timeout=BUILD_TIMEOUT_SECONDS)
    except subprocess.CalledProcessError as error:
        raise DemoError("SITE_BUILD_FAILED", f"the site build exited with status {error.returncode}") from None
    except subprocess.TimeoutExpired:
        raise DemoError("SITE_BUILD_TIMEOUT", f"the site build took over {BUILD_TIMEOUT_SECONDS} s") from None
    if not (site_dir / BOOK_INDEX).is_file():
        raise DemoError(
            "BOOK_INDEX_MISSING",
            f"the build did not write {BOOK_INDEX}; is docusaurus-plugin-tutorgpt configured?",
        )


def prepare_site(site_dir: Path, *, build: bool) -> None:
    """Check the site and build it when allowed and stale; the book index must then exist."""
    if not any((site_dir / name).is_file() for name in CONFIG_NAMES):
        raise DemoError(
            "SITE_NOT_FOUND",
            f"no Docusaurus site at {site_dir}: none of {', '.join(CONFIG_NAMES)} (use --site-dir)",
        )
    if build and site_is_stale(site_dir):
        build_site(site_dir)
    index = site_dir / BOOK_INDEX
    if not index.is_file():
        raise DemoError("SITE_NOT_BUILT", f"{index} is missing; build the site or drop --no-build")


def sqlite_url(path: Path) -> str:
    """A ``sqlite:///`` URL for an absolute file path (four slashes in total)."""
    return f"sqlite:///{path.resolve()}"


def create_demo_app(site_dir: Path, state_dir: Path) -> Starlette:
    """The host app: the TutorGPT sub-app at ``/api/chatkit`` and the built site at ``/``.

    Settings still come from the environment (model, keys, limits); the demo only pins the
    files and the book, so ``TUTORGPT_*`` variables keep working as documented.
    """
    # Imported here: the CLI imports this module for every command, and the web stack (with
    # the openai SDK) is only worth loading for the demo itself.
    from tutorgpt_asgi import TutorGPTMount, create_app

    state_dir.mkdir(parents=True, exist_ok=True)
    tutor = create_app(
        database_url=sqlite_url(state_dir / "tutorgpt.db"),
        book_database_url=sqlite_url(state_dir / "tutorgpt-book.db"),
        book=str((site_dir / BOOK_INDEX).resolve()),
    )
    return Starlette(
        routes=[
            # Also matches POST /api/chatkit itself, which the static mount would otherwise catch.
            TutorGPTMount(BACKEND_PATH, app=tutor),
            Mount("/", app=StaticFiles(directory=site_dir / "build", html=True)),
        ],
        lifespan=tutor.router.lifespan_context,  # a mounted app's lifespan is the host's job
    )


def describe_tutor() -> str:
    """Which tutor answers, as one line for the start-up banner."""
    settings = load_settings()
    if settings.model_configured:
        where = settings.openai_base_url or "the OpenAI API"
        return f"model {settings.model_name} at {where}"
    return "offline tutor (set OPENAI_API_KEY or OPENAI_BASE_URL to use a model)"


def public_url(host: str, port: int) -> str:
    """The URL a reader opens; wildcard binds are reached through localhost."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/docs/intro"


def run(args: argparse.Namespace) -> int:
    """Prepare the site, build the app and serve it until interrupted; returns an exit status."""
    site_dir = Path(args.site_dir).resolve()
    state_dir = Path(args.state_dir).resolve() if args.state_dir else site_dir.parent / ".demo"
    try:
        prepare_site(site_dir, build=not args.no_build)
        tutor_line = describe_tutor()
        app = create_demo_app(site_dir, state_dir)
    except DemoError as error:
        print(f"tutorgpt demo: error [{error.code}]: {error}", file=sys.stderr)
        return 2
    except SettingsError as error:
        print(f"tutorgpt demo: error [SETTINGS_INVALID]: {error}", file=sys.stderr)
        return 2
    print(f"TutorGPT demo: {tutor_line}; data in {state_dir}", flush=True)
    print(f"Open {public_url(args.host, args.port)}", flush=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level)
    uvicorn.Server(config).run()
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo's options, shared by ``tutorgpt demo`` and ``python -m tutorgpt_asgi.demo``."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--site-dir",
        default=str(REPO_ROOT / "example-site"),
        help="the Docusaurus site to serve (default: this checkout's example-site/)",
    )
    parser.add_argument(
        "--state-dir", default=None, help="where the SQLite files go (default: .demo/ beside the site)"
    )
    parser.add_argument(
        "--no-build", action="store_true", help="serve the existing build; never run the site build"
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level (default warning)",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand; the CLI calls ``args.func(args)`` for the chosen command."""
    parser = subparsers.add_parser(
        "demo", help="serve the example book with the tutor on one port", description=DESCRIPTION
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m tutorgpt_asgi.demo``."""
    parser = argparse.ArgumentParser(prog="python -m tutorgpt_asgi.demo", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
