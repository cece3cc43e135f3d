"""Every word on the pages exists in Chinese and English."""

from __future__ import annotations

import re

from academichub.gateway.app import PACKAGE_DIR
from academichub.gateway.domain.i18n import MESSAGES, Translator


def test_every_message_the_templates_use_is_in_the_catalogue() -> None:
    used = set()
    for template in (PACKAGE_DIR / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*[,)]""", template.read_text()))
    # Built from a variable in sources.html: "sources." ~ status.
    used |= {"sources.fresh", "sources.behind", "sources.unknown"}
    assert used - set(MESSAGES) == set()
    assert len(used) > 60


def test_both_languages_have_the_same_placeholders() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh, key
        assert en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_translator_fills_placeholders() -> None:
    assert Translator("en")("home.found", total=3) == "3 papers match"
    assert Translator("zh")("home.found", total=3) == "找到 3 篇论文"
