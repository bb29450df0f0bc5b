"""First look at a delivered file: is it a text table at all, in the expected encoding?

Downloads go wrong in typical ways: an empty file, a ZIP that was not unpacked, an HTML
error page saved under a .csv name, a file re-saved in another encoding. Each gets its
own message before any parser sees the bytes.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.readers.errors import InputError

HEAD_BYTES = 64 * 1024


def check_is_text_table(path: Path, encoding: str) -> str:
    """Return the decoded start of the file, or raise an InputError saying what it is."""
    if not path.is_file():
        raise InputError.single(path, expected="a file", found="nothing at that path")
    data = path.read_bytes()
    if not data.strip():
        raise InputError.single(path, expected="a table", found="an empty file")
    if data[:4] == b"PK\x03\x04":
        raise InputError.single(
            path,
            expected="a CSV table",
            found="a ZIP archive (the GENESIS API zips its tables: unpack it first)",
        )
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        raise InputError.single(
            path,
            expected="a CSV table",
            found="an HTML/XML page (an error or login page saved instead of the table)",
            line=1,
        )
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError.single(
            path,
            expected=f"text in {encoding}",
            found=f"byte 0x{data[exc.start]:02x} that is not {encoding} "
            f"(the file looks re-saved in another encoding, e.g. cp1252)",
            line=line,
        ) from exc
    return data[:HEAD_BYTES].decode(encoding, errors="replace")
