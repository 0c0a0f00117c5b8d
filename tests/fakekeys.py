"""Generate fake but well-formed provider keys at test time.

No key is ever committed: the repository must stay clean under its own scan.
Keys come from a seeded random generator, so a test's keys are the same on
every run. Bodies are plain random strings with one condition: a digit and a
letter. Real keys of these shapes have both in practice, and the context-only
shapes (Azure, Mistral, Cohere) require both.
"""

from __future__ import annotations

import random
import string

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
MARKER = "T3Blbk" + "FJ"


class FakeKeys:
    """A seeded source of fake keys, one method per provider shape."""

    def __init__(self, seed: int = 1) -> None:
        self._random = random.Random(seed)

    def _chars(self, alphabet: str, count: int) -> str:
        while True:
            text = "".join(self._random.choice(alphabet) for _ in range(count))
            has_digit = any(c.isdigit() for c in text)
            has_alpha = any(c.isalpha() for c in text)
            if has_digit and has_alpha:
                return text

    def openai_user(self) -> str:
        return "sk-" + self._chars(ALNUM, 20) + MARKER + self._chars(ALNUM, 20)

    def openai_project(self) -> str:
        return "sk-proj-" + self._chars(URLSAFE, 74) + MARKER + self._chars(URLSAFE, 74)

    def openai_service_account(self) -> str:
        return (
            "sk-svcacct-" + self._chars(URLSAFE, 58) + MARKER + self._chars(URLSAFE, 58)
        )

    def openai_admin(self) -> str:
        return (
            "sk-admin-" + self._chars(URLSAFE, 20) + MARKER + self._chars(URLSAFE, 20)
        )

    def anthropic(self) -> str:
        return "sk-ant-api03-" + self._chars(URLSAFE, 93) + "AA"

    def anthropic_admin(self) -> str:
        return "sk-ant-admin01-" + self._chars(URLSAFE, 93) + "AA"

    def anthropic_oauth(self) -> str:
        return "sk-ant-oat01-" + self._chars(URLSAFE, 80)

    def google(self) -> str:
        return "AIza" + self._chars(URLSAFE, 35)

    def azure(self) -> str:
        return self._chars(HEX, 32)

    def huggingface(self) -> str:
        return "hf_" + self._chars(ALNUM, 34)

    def groq(self) -> str:
        return "gsk_" + self._chars(ALNUM, 52)

    def xai(self) -> str:
        return "xai-" + self._chars(ALNUM, 80)

    def openrouter(self) -> str:
        return "sk-or-v1-" + self._chars(HEX, 64)

    def perplexity(self) -> str:
        return "pplx-" + self._chars(ALNUM, 48)

    def replicate(self) -> str:
        return "r8_" + self._chars(ALNUM, 37)

    def together(self) -> str:
        return "tgp_v1_" + self._chars(URLSAFE, 43)

    def deepseek(self) -> str:
        return "sk-" + self._chars(HEX, 32)

    def mistral(self) -> str:
        return self._chars(ALNUM, 32)

    def cohere(self) -> str:
        return self._chars(ALNUM, 40)
