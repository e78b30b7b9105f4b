"""Content sniffing of uploads: by the bytes, never by the name."""

from __future__ import annotations

import pytest

from gonghui.lib.uploads import sniff_content_type


@pytest.mark.parametrize(("head", "expected"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
    (b"%PDF-1.7\n", "application/pdf"),
    (b"<html><script>", None),
    (b"MZ\x90\x00", None),
    (b"", None),
])
def test_it_names_the_type_the_bytes_prove(head: bytes, expected: str | None) -> None:
    assert sniff_content_type(head) == expected
