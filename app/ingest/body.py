"""Reading a JSON request body within the limits: size, gzip, content type, nesting."""

from __future__ import annotations

import zlib
from typing import Any

import pydantic_core
from fastapi import Request

from app.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType


async def read_capped(request: Request, max_bytes: int, what: str) -> bytes:
    """The raw body, refused with 413 (``what`` is over the limit) before reading past it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"{what} is over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"{what} is over the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_limited_body(request: Request, max_bytes: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes ``max_bytes`` (before or after gzip)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType("the body must be JSON (Content-Type: application/json)")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise UnsupportedMediaType(f"unsupported Content-Encoding {encoding[:20]!r}; use gzip")
    body = await read_capped(request, max_bytes, "request body")
    if encoding == "gzip":
        body = _gunzip(body, max_bytes)
    return body


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(data, max_bytes + 1)
        if len(out) > max_bytes or decoder.unconsumed_tail:
            raise PayloadTooLarge(f"decompressed body is over the {max_bytes}-byte limit")
        out += decoder.flush()
    except zlib.error as exc:
        raise BadRequest("the body is not valid gzip") from exc
    if not decoder.eof:
        raise BadRequest("the gzip body is truncated")
    if len(out) > max_bytes:
        raise PayloadTooLarge(f"decompressed body is over the {max_bytes}-byte limit")
    return out


def parse_json(body: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity, no lone surrogates, bounded nesting.

    NUL characters are removed from string values: PostgreSQL text cannot hold them, and
    they carry nothing a label or a URL needs.
    """
    if not body.strip():
        raise BadRequest("the body is empty; expected a JSON object")
    try:
        payload = pydantic_core.from_json(body, allow_inf_nan=False)
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {str(exc)[:200]}") from exc
    if b"\\u0000" in body:
        payload = _without_nul(payload)
    return payload


def _without_nul(value: Any) -> Any:
    """``value`` with NUL characters removed from every string in it (keys stay as sent)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value
