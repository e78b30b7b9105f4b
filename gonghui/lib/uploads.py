"""What an uploaded file really is, by its first bytes — never by its name or the browser's claim."""

from __future__ import annotations

# ISO base media "ftyp" brands of HEIC/HEIF photos (what iPhones save).
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


def sniff_content_type(head: bytes) -> str | None:
    """The content type the leading bytes prove (JPEG, PNG, GIF, WebP, HEIC, PDF), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and password-protected .xlsx, .doc …)


def sniff_spreadsheet(head: bytes) -> str | None:
    """"xlsx" (a zip package), "xls" (an OLE compound file) or "csv" (text: UTF-8, UTF-16 with BOM,
    or GB18030/GBK, without NUL bytes), or None (a photo, a PDF, binary junk) — by content only."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "xls"
    if not head or sniff_content_type(head) is not None:
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not merely a character cut off at the end of the sample
                continue
            text = head[:exc.start].decode(encoding)
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
        return "csv" if controls == 0 else None
    return None
