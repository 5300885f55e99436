"""The evaluation questions, written by hand in a student's words, with the pages that answer them.

``pages`` are permalinks without the ``/docs/`` prefix; a question is answered when a hit is on
any of them. Where the Django docs answer a question in two places (the security overview and the
CSRF reference, a tutorial step and the reference), both are listed: the same list scores the
project and the baseline. Kinds: ``paraphrase`` (few words shared with the text), ``code``, ``howto``,
``conceptual``, ``keyword``, ``quote`` (a pointing question about a quoted line) and ``offbook``
(not covered, but sharing a word with the book: ``pages`` is empty). ``quote`` is the passage
the reader quoted with the question, if any.
"""

# ruff: noqa: E501  (one question per line reads best as a table)
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    pages: tuple[str, ...] = ()
    quote: str | None = None


def _q(kind: str, text: str, *pages: str, quote: str | None = None) -> Question:
    return Question(kind, text, pages, quote)


_LOOP, _PROMPTS, _TOOLS = "foundations/agent-loop", "foundations/prompts", "foundations/tools"
_ASYNC, _PYD, _HTTP = "python-for-agents/async-await", "python-for-agents/pydantic", "python-for-agents/http-apis"
_CHUNK, _SCOPE, _EVAL = "retrieval/chunking", "retrieval/scoped-search", "retrieval/evaluating-answers"
_RUN_AGENT = "async def run_agent(question: str, tools: dict, model) -> str:"

EXAMPLE_BOOK: tuple[Question, ...] = (
    _q("paraphrase", "How many times may the tutor go round before it gives up?", _LOOP),
    _q("paraphrase", "What share of the model's input room is kept free for the reply?", _PROMPTS),
    _q("paraphrase", "Is there a length limit on what a function's explanation tells the model?", _TOOLS),
    _q("paraphrase", "How many lookups can the tutor have in flight at the same moment?", _ASYNC),
    _q("paraphrase", "What happens when the model sends back a key with a typo in it?", _PYD),
    _q("paraphrase", "How long does the client pause before repeating a failed request the first time?", _HTTP),
    _q("paraphrase", "How much text do neighbouring pieces of a split section have in common?", _CHUNK),
    _q("paraphrase", "When does the lookup go beyond the lesson the reader is looking at?", _SCOPE),
    _q("paraphrase", "What is the rule that every statement about the book needs a source?", _EVAL),
    _q("paraphrase", "Why shouldn't my program just sit idle while the model is thinking?", _ASYNC),
    _q("code", "What does asyncio.TaskGroup do when one of its tasks raises?", _ASYNC),
    _q("code", "How do I give httpx.AsyncClient a separate connect timeout?", _HTTP),
    _q("code", "What does model_validate_json report for a payload with a bad field?", _PYD),
    _q("code", "How is estimate_tokens calculated?", _PROMPTS),
    _q("code", "Which status codes are in RETRYABLE?", _HTTP),
    _q("code", "What fields does the Chunk dataclass keep?", _CHUNK),
    _q("code", 'What does extra="forbid" change?', _PYD),
    _q("code", "What does run_agent return when TURN_BUDGET runs out?", _LOOP),
    _q("howto", "How do I run three coroutines at once and wait for all of them?", _ASYNC),
    _q("howto", "How should I write a tool's description so the model calls it at the right time?", _TOOLS),
    _q("howto", "How can I keep a tool's parameter schema and my validation from drifting apart?", _PYD),
    _q("howto", "How do I stop a long conversation from overflowing the prompt?", _PROMPTS),
    _q("howto", "How do I check mechanically that the tutor's links point to real sections?", _EVAL),
    _q("conceptual", "What is the difference between a workflow and an agent?", _LOOP),
    _q("conceptual", "Why might keyword search be good enough without embeddings?", _CHUNK),
    _q("conceptual", "Why should a failing tool return an error message instead of raising?", _TOOLS),
    _q("conceptual", "Why should the ids be worked out when the site is built?", _SCOPE),
    _q("conceptual", "What is a token and how big is one?", _PROMPTS),
    _q("keyword", "semaphore", _ASYNC),
    _q("keyword", "jitter backoff", _HTTP),
    _q("keyword", "golden set", _EVAL),
    _q("keyword", "cosine similarity", _CHUNK, _SCOPE),
    _q("keyword", "context window", _PROMPTS),
    _q("keyword", "perceive decide act", _LOOP),
    _q("keyword", "task group cancel", _ASYNC),
    _q("keyword", "modelValidateJson", _PYD),
    _q("keyword", "get with retries", _HTTP),
    _q("quote", "What does this line mean?", _ASYNC, quote="limit = asyncio.Semaphore(4)"),
    _q("quote", "Can you explain this?", _PYD, quote='model_config = ConfigDict(extra="forbid")'),
    _q("offbook", "What is the boiling point of tungsten on Mars?", quote=_RUN_AGENT),
    _q("offbook", "What is the boiling point of tungsten on Mars?"),
    _q("offbook", "How do I replace a cracked window pane in my kitchen?"),
    _q("offbook", "What is a sensible monthly budget for a family holiday?"),
    _q("offbook", "How many tokens does a subway ride cost in New York?"),
    _q("offbook", "Which scope should I buy for a hunting rifle?"),
    _q("offbook", "How finely should I chunk garlic for a stew?"),
    _q("offbook", "Who won the football world cup in 2014?"),
)

_FIELDS, _QS, _SETTINGS = "ref/models/fields", "ref/models/querysets", "ref/settings"
_QUERIES, _AUTH, _MIGR = "topics/db/queries", "topics/auth/default", "topics/migrations"
_TESTTOOLS, _CT = "topics/testing/tools", "ref/contrib/contenttypes"

DJANGO: tuple[Question, ...] = (
    _q("paraphrase", "How can a text column be left empty in forms but never store NULL?", _FIELDS),
    _q("paraphrase", "How do I keep other websites from submitting forms on behalf of my users?", "ref/csrf", "howto/csrf", "topics/security"),
    _q("paraphrase", "How can my site show its pages in several human languages?", "topics/i18n/translation", "topics/i18n/i18n-overview"),
    _q("paraphrase", "How do I run some code every time a record is stored?", "topics/signals", "ref/signals"),
    _q("paraphrase", "Where can I keep a visitor's data between one request and the next?", "topics/http/sessions"),
    _q("paraphrase", "How can I make pages faster by keeping rendered output around?", "topics/cache"),
    _q("paraphrase", "How do I split a long list of results across numbered pages?", "topics/pagination", "ref/paginator"),
    _q("paraphrase", "How do I stop my pages from being shown inside a frame on another site?", "ref/clickjacking", "topics/security"),
    _q("paraphrase", "After I change my model classes, how do the database tables catch up?", _MIGR),
    _q("paraphrase", "How do I allow only signed-in people to open a page?", _AUTH),
    _q("paraphrase", "How do I put uploaded files somewhere other than the server's own disk?", "howto/custom-file-storage", "topics/files", "ref/files/storage"),
    _q("paraphrase", "How do I send an email message to a user from my app?", "topics/email"),
    _q("code", "What does select_related do?", _QS),
    _q("code", "How do I use F() to update a counter without reading it first?", "ref/models/expressions", _QUERIES),
    _q("code", "What does get_object_or_404 do when nothing matches?", "topics/http/shortcuts"),
    _q("code", "What is ALLOWED_HOSTS for?", _SETTINGS, "topics/security"),
    _q("code", "How do I pass a Prefetch object to prefetch_related?", _QS),
    _q("code", "Where does the login_required decorator send anonymous users?", _AUTH, "topics/http/decorators"),
    _q("code", "What does DEFAULT_AUTO_FIELD control?", _SETTINGS, "topics/db/models"),
    _q("code", "What does fields = '__all__' do in a ModelForm's Meta?", "topics/forms/modelforms"),
    _q("code", "What does assertNumQueries check?", _TESTTOOLS),
    _q("code", "How do I combine filters with OR using Q objects?", _QUERIES, _QS),
    _q("code", "What is reverse() used for?", "ref/urlresolvers", "topics/http/urls"),
    _q("code", "What does on_delete=models.CASCADE mean?", _FIELDS),
    _q("conceptual", "What is the difference between null and blank on a field?", _FIELDS),
    _q("conceptual", "What is middleware and where does it run in the request cycle?", "topics/http/middleware"),
    _q("conceptual", "Why would I write class-based views instead of view functions?", "topics/class-based-views/intro"),
    _q("conceptual", "Why does looping over related objects fire so many queries, and how do I avoid it?", "topics/db/optimization", _QS),
    _q("conceptual", "How does Django wrap several database changes so they succeed or fail together?", "topics/db/transactions"),
    _q("conceptual", "What is the content types framework for?", _CT, "ref/contrib/contrib-overview"),
    _q("howto", "How do I write my own manage.py command?", "howto/custom-management-commands"),
    _q("howto", "How do I run my project under gunicorn?", "howto/deployment/wsgi/gunicorn"),
    _q("howto", "How do I create a custom model field type?", "howto/custom-model-fields", "topics/db/models"),
    _q("howto", "How do I send log messages to a file?", "topics/logging", "howto/logging", "ref/logging"),
    _q("howto", "How can I add a search box to the admin change list?", "ref/contrib/admin/admin-overview", "intro/tutorial07"),
    _q("howto", "How do I serve static files in production?", "howto/static-files/deployment", "howto/static-files/static-files-overview", "ref/contrib/staticfiles"),
    _q("howto", "How do I write a migration that fills in data for a new column?", "howto/writing-migrations", _MIGR),
    _q("howto", "How do I test a view with the test client?", _TESTTOOLS, "topics/testing/overview"),
    _q("howto", "How should I upgrade a project to a newer Django version?", "howto/upgrade-version"),
    _q("howto", "How do I write a custom template filter?", "howto/custom-template-tags"),
    _q("keyword", "collectstatic STATIC_ROOT", "ref/contrib/staticfiles", "howto/deployment/checklist", _SETTINGS, "howto/static-files/deployment", "howto/static-files/static-files-overview"),
    _q("keyword", "bulk_create", _QS, "topics/db/optimization"),
    _q("keyword", "GenericForeignKey", _CT),
    _q("keyword", "sitemap", "ref/contrib/sitemaps"),
    _q("keyword", "CSRF_COOKIE_SECURE", _SETTINGS, "ref/csrf", "howto/csrf"),
    _q("keyword", "ManyToManyField through model", _FIELDS, "topics/db/models"),
    _q("keyword", "uvicorn", "howto/deployment/asgi/uvicorn"),
    _q("keyword", "select_for_update nowait", _QS),
    _q("keyword", "syndication feed", "ref/contrib/syndication"),
    _q("keyword", "JSONField key lookup", _QUERIES, _FIELDS),
    _q("keyword", "get object or 404", "topics/http/shortcuts"),
    _q("keyword", "prefetchRelated", _QS, "topics/db/optimization"),
    _q("keyword", "StreamingHttpResponse", "ref/request-response"),
    _q("offbook", "What are the migration routes of arctic terns?"),
    _q("offbook", "How do I write a template for a wedding speech?"),
    _q("offbook", "What signals do traffic lights use in Japan?"),
    _q("offbook", "What is the boiling point of tungsten on Mars?"),
    _q("offbook", "How do I tune the suspension fork of a mountain bike?"),
    _q("offbook", "At what temperature should I roast a whole chicken?"),
    _q("offbook", "How do I knit a scarf with two colours of wool?"),
    _q("offbook", "Which Rust crate should I use for async HTTP requests?"),
)

BOOKS: dict[str, tuple[Question, ...]] = {"example": EXAMPLE_BOOK, "django": DJANGO}
