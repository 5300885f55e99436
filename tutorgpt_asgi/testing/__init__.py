"""Test helpers shipped with the package, so tests, benchmarks and demos share one real server
(and one way to make throwaway PostgreSQL databases).

Nothing here is imported by the application at run time.
"""
