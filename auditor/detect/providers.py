"""Shapes of AI-provider keys.

Each pattern is written from the providers' published key shapes. Patterns with
a `prefix` are found by that literal. Patterns without one (Azure OpenAI,
DeepSeek, Mistral, Cohere) have no shape of their own, so they count only when
one of their context words is within a few lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that may continue a key; a match must not be part of a longer token.
TOKEN_CHARS = "A-Za-z0-9_-"


@dataclass(frozen=True)
class KeyPattern:
    """One key shape of one provider."""

    provider: str
    kind: str
    body: str
    prefix: str = ""
    context: tuple[str, ...] = ()
    expected: str = ""
    # True when a value of lowercase hex digits only is a hash (a git commit,
    # a SHA-1 in a lock file) rather than this provider's mixed-case key.
    hex_is_hash: bool = False

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.body)

    def rejects(self, value: str) -> bool:
        """Return True when a value of this shape is known not to be a key."""
        return self.hex_is_hash and _HEX_ONLY.fullmatch(value) is not None


_CACHE: dict[str, re.Pattern[str]] = {}
_HEX_ONLY = re.compile(r"[0-9a-f]+")


def _compiled(body: str) -> re.Pattern[str]:
    pattern = _CACHE.get(body)
    if pattern is None:
        bounded = rf"(?<![{TOKEN_CHARS}])(?:{body})(?![{TOKEN_CHARS}])"
        pattern = _CACHE[body] = re.compile(bounded)
    return pattern


OPENAI_MARKER = "T3BlbkFJ"

PATTERNS: tuple[KeyPattern, ...] = (
    KeyPattern(
        provider="openai",
        kind="project key",
        prefix="sk-proj-",
        body=r"sk-proj-[A-Za-z0-9_-]{16,250}T3BlbkFJ[A-Za-z0-9_-]{16,250}",
        expected="sk-proj- and about 156 characters with T3BlbkFJ inside",
    ),
    KeyPattern(
        provider="openai",
        kind="service-account key",
        prefix="sk-svcacct-",
        body=r"sk-svcacct-[A-Za-z0-9_-]{16,250}T3BlbkFJ[A-Za-z0-9_-]{16,250}",
        expected="sk-svcacct- and a body with T3BlbkFJ inside",
    ),
    KeyPattern(
        provider="openai",
        kind="admin key",
        prefix="sk-admin-",
        body=r"sk-admin-[A-Za-z0-9_-]{16,250}T3BlbkFJ[A-Za-z0-9_-]{16,250}",
        expected="sk-admin- and a body with T3BlbkFJ inside",
    ),
    KeyPattern(
        provider="openai",
        kind="key",
        prefix="sk-",
        body=(
            r"sk-(?:None-|service-[A-Za-z0-9_]{1,64}-)"
            r"[A-Za-z0-9_-]{16,250}T3BlbkFJ[A-Za-z0-9_-]{16,250}"
        ),
        expected="sk-None- or sk-service-NAME- and a body with T3BlbkFJ inside",
    ),
    KeyPattern(
        provider="openai",
        kind="user key",
        prefix="sk-",
        body=r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}",
        expected="51 characters: sk-, 20 letters or digits, T3BlbkFJ, 20 more",
    ),
    KeyPattern(
        provider="anthropic",
        kind="API key",
        prefix="sk-ant-api",
        body=r"sk-ant-api\d{2,4}-[A-Za-z0-9_-]{93}AA",
        expected="108 characters: sk-ant-api03-, 93 characters, then AA",
    ),
    KeyPattern(
        provider="anthropic",
        kind="admin key",
        prefix="sk-ant-admin",
        body=r"sk-ant-admin\d{2}-[A-Za-z0-9_-]{93}AA",
        expected="sk-ant-admin01-, 93 characters, then AA",
    ),
    KeyPattern(
        provider="anthropic",
        kind="OAuth token",
        prefix="sk-ant-o",
        body=r"sk-ant-o[ar]t\d{2}-[A-Za-z0-9_-]{40,400}",
        expected="sk-ant-oat01- or sk-ant-ort01- and 40 or more characters",
    ),
    KeyPattern(
        provider="google",
        kind="API key",
        prefix="AIza",
        body=r"AIza[A-Za-z0-9_-]{35}",
        expected="39 characters: AIza and 35 more",
    ),
    KeyPattern(
        provider="huggingface",
        kind="access token",
        prefix="hf_",
        body=r"hf_[A-Za-z0-9]{34}",
        expected="37 characters: hf_ and 34 letters or digits",
    ),
    KeyPattern(
        provider="huggingface",
        kind="organization token",
        prefix="api_org_",
        body=r"api_org_[A-Za-z0-9]{34}",
        expected="42 characters: api_org_ and 34 letters or digits",
    ),
    KeyPattern(
        provider="groq",
        kind="API key",
        prefix="gsk_",
        body=r"gsk_[A-Za-z0-9]{52}",
        expected="56 characters: gsk_ and 52 letters or digits",
    ),
    KeyPattern(
        provider="xai",
        kind="API key",
        prefix="xai-",
        body=r"xai-[A-Za-z0-9_-]{70,120}",
        expected="xai- and 70 to 120 characters",
    ),
    KeyPattern(
        provider="openrouter",
        kind="API key",
        prefix="sk-or-v1-",
        body=r"sk-or-v1-[0-9a-f]{64}",
        expected="73 characters: sk-or-v1- and 64 hex digits",
    ),
    KeyPattern(
        provider="perplexity",
        kind="API key",
        prefix="pplx-",
        body=r"pplx-[A-Za-z0-9]{48}",
        expected="53 characters: pplx- and 48 letters or digits",
    ),
    KeyPattern(
        provider="replicate",
        kind="API token",
        prefix="r8_",
        body=r"r8_[A-Za-z0-9_-]{37}",
        expected="40 characters: r8_ and 37 more",
    ),
    KeyPattern(
        provider="together",
        kind="API key",
        prefix="tgp_v1_",
        body=r"tgp_v1_[A-Za-z0-9_-]{43}",
        expected="50 characters: tgp_v1_ and 43 more",
    ),
    KeyPattern(
        provider="fireworks",
        kind="API key",
        prefix="fw_",
        body=r"fw_[A-Za-z0-9]{24}",
        expected="27 characters: fw_ and 24 letters or digits",
    ),
    KeyPattern(
        provider="deepseek",
        kind="API key",
        body=r"sk-[0-9a-f]{32}",
        context=("deepseek",),
        expected="35 characters: sk- and 32 hex digits",
    ),
    KeyPattern(
        provider="azure-openai",
        kind="API key",
        body=r"[0-9a-f]{32}",
        context=("azure",),
        expected="32 hex digits",
    ),
    KeyPattern(
        provider="mistral",
        kind="API key",
        body=r"[A-Za-z0-9]{32}",
        context=("mistral",),
        expected="32 letters or digits",
        hex_is_hash=True,
    ),
    KeyPattern(
        provider="cohere",
        kind="API key",
        body=r"[A-Za-z0-9]{40}",
        context=("cohere", "co_api_key"),
        expected="40 letters or digits",
        hex_is_hash=True,
    ),
)

PREFIXED = tuple(p for p in PATTERNS if p.prefix)
CONTEXTUAL = tuple(p for p in PATTERNS if p.context)
PREFIXES = tuple(sorted({p.prefix for p in PREFIXED}))
CONTEXT_WORDS = tuple(sorted({w for p in CONTEXTUAL for w in p.context}))
# A provider prefix at the start of a token: `sk-` in `task-list` does not count.
PREFIX_AT_TOKEN_START = re.compile(
    rf"(?<![{TOKEN_CHARS}])(?:{'|'.join(re.escape(p) for p in PREFIXES)})"
)

# Each provider's page for revoking and creating keys, for remediation text.
KEY_PAGES = {
    "openai": "https://platform.openai.com/api-keys",
    "anthropic": "https://console.anthropic.com/settings/keys",
    "google": "https://aistudio.google.com/app/apikey",
    "azure-openai": "the Azure portal: your OpenAI resource, Keys and Endpoint",
    "huggingface": "https://huggingface.co/settings/tokens",
    "groq": "https://console.groq.com/keys",
    "xai": "https://console.x.ai",
    "openrouter": "https://openrouter.ai/settings/keys",
    "perplexity": "https://www.perplexity.ai/settings/api",
    "replicate": "https://replicate.com/account/api-tokens",
    "together": "https://api.together.ai/settings/api-keys",
    "fireworks": "https://fireworks.ai/account/api-keys",
    "deepseek": "https://platform.deepseek.com/api_keys",
    "mistral": "https://console.mistral.ai/api-keys",
    "cohere": "https://dashboard.cohere.com/api-keys",
}


def classify(key: str) -> KeyPattern | None:
    """Return the prefixed pattern that a whole string matches exactly, if any."""
    for pattern in PREFIXED:
        if key.startswith(pattern.prefix) and pattern.regex.fullmatch(key):
            return pattern
    return None
