"""The bytes prefilter agrees with the text prefilter it replaces in history scans."""

from __future__ import annotations

import pytest

from auditor.detect.scanner import has_candidates, has_candidates_utf8

CASES = [
    b"plain text with nothing in it\n",
    b"token = sk-abc\n",
    b"key AIzaSy\n",
    b"HF = hf_x\n",
    b"AZURE_ENDPOINT=x\n",
    b"Mistral model\n",
    b"caf\xc3\xa9 au lait\n",
    b"invalid \xe9\xff bytes then gsk_\n",
    b"invalid \xe9\xff bytes only\n",
    b"CO_API_\xe2\x84\xaaEY=abc\n",  # Kelvin sign: lower case is `k`
    b"\xc4\xb0nvalid but harmless\n",
    b"deep\xe2\x80\x8bseek\n",  # a zero-width space splits the word
    b"",
]


@pytest.mark.parametrize("data", CASES)
def test_bytes_prefilter_matches_text(data: bytes) -> None:
    expected = has_candidates(data.decode("utf-8", "replace"))

    assert has_candidates_utf8(data) is expected


def test_bytes_prefilter_kelvin_sign() -> None:
    assert has_candidates_utf8("CO_API_\u212aEY=abc".encode())
