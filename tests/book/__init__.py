"""Tests of the book index (tutorgpt_asgi.book)."""
