"""Pinyin keys of a Chinese name for search: ``张三`` → ``zhangsan`` and ``zs``."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def full_pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name or "", errors="ignore")).lower()[:120]


def initials(name: str) -> str:
    return "".join(p[:1] for p in lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore")).lower()[:20]
