"""First look at a delivered file: is it a text table at all, in the expected encoding?

Downloads go wrong in typical ways: an empty file, a ZIP that was not unpacked, an HTML
error page saved under a .csv name, a file re-saved in another encoding. Each gets its
own message before any parser sees the bytes.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.readers.errors import InputError

HEAD_BYTES = 64 * 1024


CHUNK_BYTES = 1 << 23


def _chunks(path: Path):
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(CHUNK_BYTES), b"")


def _chunks_then_end(path: Path):
    yield from _chunks(path)
    yield b""  # the end: a character cut there is an error


def check_is_text_table(path: Path, encoding: str) -> str:
    """Return the decoded start of the file, or raise an InputError saying what it is.

    The file is read in chunks: a large delivery is checked without holding it in memory."""
    return scan_text_table(path, encoding)[0]


def scan_text_table(path: Path, encoding: str) -> tuple[str, int]:
    """`check_is_text_table`, and the number of lines it read (a last line without a newline
    counts): a reader numbering rows by file line needs not count them in a second pass."""
    if not path.is_file():
        raise InputError.single(path, expected="a file", found="nothing at that path")
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip() and not any(chunk.strip() for chunk in _chunks(path)):
        raise InputError.single(path, expected="a table", found="an empty file")
    if head[:4] == b"PK\x03\x04":
        raise InputError.single(
            path,
            expected="a CSV table",
            found="a ZIP archive (the GENESIS API zips its tables: unpack it first)",
        )
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        raise InputError.single(
            path,
            expected="a CSV table",
            found="an HTML/XML page (an error or login page saved instead of the table)",
            line=1,
        )
    lines, carry = 0, b""  # newlines before `carry`, the undecoded rest of the last chunk
    last = b""  # the file's last byte
    for chunk in _chunks_then_end(path):
        last = chunk[-1:] or last
        data = carry + chunk
        try:
            data.decode(encoding)
            carry = b""
        except UnicodeDecodeError as exc:
            if chunk and exc.end == len(data) and len(data) - exc.start < 4:
                carry = data[exc.start :]  # a character cut by the chunk's end
                data = data[: exc.start]
            else:
                line = lines + data.count(b"\n", 0, exc.start) + 1
                raise InputError.single(
                    path,
                    expected=f"text in {encoding}",
                    found=f"byte 0x{data[exc.start]:02x} that is not {encoding} "
                    f"(the file looks re-saved in another encoding, e.g. cp1252)",
                    line=line,
                ) from exc
        lines += data.count(b"\n")
    if last not in (b"", b"\n"):
        lines += 1  # a last line without a newline
    return head.decode(encoding, errors="replace"), lines
