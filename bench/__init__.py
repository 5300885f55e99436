"""TutorGPT's benchmark suite: every case is measured as a ratio to a bare endpoint in the same run.

Why ratios: the machines are small and shared, so absolute requests/s drift from run to run;
a case measured in alternation with the bare Starlette endpoint on the same uvicorn settings
shows what our own code costs. Run it with ``python -m bench`` (see ``bench/README.md``).
"""
