"""Just enough of Protocol Buffers' wire format to read the few fields Anki stores as protobuf
(a note type's kind, a template's front and back, a package's version and its media list)."""

from __future__ import annotations

from collections.abc import Iterator


class WireError(ValueError):
    pass


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise WireError("truncated varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7
        if shift > 63:
            raise WireError("varint too long")


def fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) for each field: an int for varints and fixed numbers, bytes for
    length-delimited fields (strings, bytes, nested messages)."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, at = _varint(data, at)
            yield number, value
        elif wire_type == 2:
            length, at = _varint(data, at)
            if at + length > len(data):
                raise WireError("truncated field")
            yield number, data[at : at + length]
            at += length
        elif wire_type in (1, 5):
            size = 8 if wire_type == 1 else 4
            yield number, int.from_bytes(data[at : at + size], "little")
            at += size
        else:
            raise WireError(f"unsupported wire type {wire_type}")


def first(data: bytes, number: int, default: int | bytes | None = None) -> int | bytes | None:
    for found, value in fields(data):
        if found == number:
            return value
    return default


def text(data: bytes, number: int) -> str:
    value = first(data, number, b"")
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""
