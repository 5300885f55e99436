"""Where readers struggle: turn records (records.py), the author's report (report.py) and its
renderings (render.py, charts.py, page.py), the ``tutorgpt report`` command (cli.py) and the
retention purge (retention.py)."""
