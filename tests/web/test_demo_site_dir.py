"""``tutorgpt demo --site-dir`` accepts a TypeScript site (``docusaurus.config.ts``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tutorgpt_asgi.demo import BOOK_INDEX, DemoError, prepare_site, site_is_stale


def _built_site(root: Path, config: str) -> Path:
    (root / config).write_text("export default {};\n", encoding="utf-8")
    (root / BOOK_INDEX).parent.mkdir(parents=True)
    (root / BOOK_INDEX).write_text("{}", encoding="utf-8")
    return root


@pytest.mark.parametrize("config", ["docusaurus.config.ts", "docusaurus.config.mjs", "docusaurus.config.js"])
def test_a_built_site_with_any_config_name_is_found(tmp_path: Path, config: str) -> None:
    prepare_site(_built_site(tmp_path, config), build=False)


def test_a_folder_without_a_config_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(DemoError) as raised:
        prepare_site(tmp_path, build=False)
    assert raised.value.code == "SITE_NOT_FOUND" and "docusaurus.config.ts" in str(raised.value)


def test_an_edited_ts_config_makes_the_build_stale(tmp_path: Path) -> None:
    site = _built_site(tmp_path, "docusaurus.config.ts")
    index = site / BOOK_INDEX
    newer = index.stat().st_mtime + 10
    os.utime(site / "docusaurus.config.ts", (newer, newer))
    assert site_is_stale(site)
