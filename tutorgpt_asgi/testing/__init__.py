"""Test helpers shipped with the package, so tests, benchmarks and demos share one real server.

Nothing here is imported by the application at run time.
"""
