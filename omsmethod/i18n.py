"""Bilingual (zh / en) words for tables, figures and reports, read from ``data/labels.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["t", "LANGS", "check_lang", "translate_columns"]

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def _labels() -> dict:
    path = Path(__file__).resolve().parent / "data" / "labels.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_lang(lang: str) -> str:
    from .errors import InputError

    if lang not in LANGS:
        raise InputError("unknown language", value=lang, hint="use 'zh' or 'en'")
    return lang


def t(key: str, lang: str = "en") -> str:
    """The word for ``key`` in ``lang`` (the key itself when there is none).

    Examples
    --------
    >>> from omsmethod.i18n import t
    >>> t("importance", "zh"), t("importance", "en")
    ('重要性', 'Importance')
    """
    entry = _labels().get(key)
    if isinstance(entry, dict):
        return str(entry.get(lang) or entry.get("en") or key)
    return key


def translate_columns(frame, lang: str = "en", extra: dict | None = None):
    """A copy of ``frame`` with column headers in ``lang`` (known keys only)."""
    names = {c: (extra or {}).get(c) or t(str(c), lang) for c in frame.columns}
    return frame.rename(columns=names)
