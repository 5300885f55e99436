"""The book: ingestion (book-index.json or a docs folder), chunking, the FTS5 index and search."""

from .errors import BookError
from .index import BookIndex, IndexSummary
from .search import ScopeContext, SearchHit, SearchResult, search_book_content

__all__ = [
    "BookError",
    "BookIndex",
    "IndexSummary",
    "ScopeContext",
    "SearchHit",
    "SearchResult",
    "search_book_content",
]
