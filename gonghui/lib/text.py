"""Normalizing what people type: full-width characters, stray spaces, separators."""

from __future__ import annotations

import re
import unicodedata
import uuid

_SPACES = {" ", "\t", "\n", "\r", "\u00a0", "\u3000", "-", "－", "—"}


# What no text field may hold: C0 and C1 control characters except tab, line feed and carriage return
# (NUL is refused by PostgreSQL and turns an insert or a LIKE into a server error), DEL, and lone UTF-16
# surrogates (a JSON "\\ud800" decodes to one; it cannot be encoded as UTF-8 for the database).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """The first character of ``text`` that no text input may contain (see ``_FORBIDDEN``), or None."""
    match = _FORBIDDEN.search(text)
    return match.group() if match else None


def compact(value: object) -> str:
    """NFKC-fold (full-width digits and letters become ASCII) and drop spaces and dashes."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(ch for ch in text if ch not in _SPACES)


def compatibility_characters(value: object) -> list[str]:
    """The characters of ``value`` that NFKC would turn into something else, other than the full-width
    forms of ASCII (U+FF01–U+FF5E: ``０``–``９``, ``Ａ``–``Ｚ``, what a Chinese input method types in
    full-width mode) and the separators ``compact`` drops.

    For identifiers, where folding such a character would be a guess: ``⑨`` (circled), ``⁹``
    (superscript), ``𝟗`` (mathematical), ``Ⅸ`` (a Roman numeral) and ligatures are refused rather than
    read as digits or letters the person may not have meant. In order of appearance, each once.
    """
    found: list[str] = []
    for ch in "" if value is None else str(value):
        if ch.isascii() or ch in _SPACES or 0xFF01 <= ord(ch) <= 0xFF5E:
            continue
        if unicodedata.normalize("NFKC", ch) != ch and ch not in found:
            found.append(ch)
    return found


def fold_code(value: object, *, label: str, hint: str, error: type[ValueError]) -> str:
    """``value`` as the characters of a code (an ID number, a credit code): separators dropped,
    full-width forms folded, upper case. Raises ``error`` with a Chinese message naming ``label``
    when it holds another compatibility character (``compatibility_characters``; ``hint`` says what
    to type instead) or nothing at all. The code's own length, alphabet and check come after."""
    strange = compatibility_characters(value)
    if strange:
        raise error(f"{label}含有不允许的字符：{'、'.join(strange)}，{hint}")
    text = compact(value).upper()
    if not text:
        raise error(f"请填写{label}")
    return text


def parse_uuid(value: object) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it does not read as one (user input before a UUID filter)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def is_uuid(value: object) -> bool:
    """Whether ``value`` reads as a UUID: the test before filtering a UUID column by user input."""
    return parse_uuid(value) is not None


def clean_line(value: object) -> str:
    """One line of what a person typed: control and format characters dropped (a zero-width space or
    BOM pasted from a web page, a stray NUL), runs of white space folded to one space, trimmed."""
    text = "" if value is None else str(value)
    # Control characters (tabs, line breaks) separate words; format characters (zero-width) do not.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text
                   if unicodedata.category(ch) == "Cc" or unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())


def clean_block(value: object) -> str:
    """Several lines of what a person typed: as ``clean_line`` per line, but line breaks are kept
    (CR LF and CR become LF) and blank lines at both ends are dropped."""
    text = "" if value is None else str(value)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = ["".join(ch for ch in line if ch == "\t" or unicodedata.category(ch)[0] != "C").rstrip()
            for line in lines]
    return "\n".join(kept).strip()


def book_title(title: object) -> str:
    """A title in book-title marks, as Chinese typesetting nests them: 《…》 outside, 〈…〉 for a title
    inside it, so "《安全生产法》与岗位安全操作" becomes 《〈安全生产法〉与岗位安全操作》, not 《《…》…》."""
    text = str(title or "").strip()
    return "《" + text.replace("《", "〈").replace("》", "〉") + "》"
