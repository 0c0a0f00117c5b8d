"""keyaudit's key shapes as detect-secrets plugins.

detect-secrets' own OpenAI plugin wants twenty plain letters or digits on both
sides of the `T3BlbkFJ` marker and misses project and service-account keys.
These plugins use keyaudit's patterns instead, so detect-secrets' tooling
(`detect-secrets scan --plugin PATH`, its baselines and audit) finds the same
keys as keyaudit. keyaudit itself calls the patterns directly through
`auditor.detect.scanner`, which adds context windows and line mapping.

Load them with `detect-secrets scan --plugin "$(python -c 'import
auditor.detect.plugins as p; print(p.__file__)')"`.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

from detect_secrets.plugins.base import RegexBasedDetector

from auditor.detect import providers, values
from auditor.detect.providers import KeyPattern


class _ProviderDetector(RegexBasedDetector):  # type: ignore[misc]
    """Find one provider's keys; context-only shapes need a context word nearby."""

    provider = ""

    @property
    def _patterns(self) -> tuple[KeyPattern, ...]:
        return tuple(p for p in providers.PATTERNS if p.provider == self.provider)

    @property
    def denylist(self) -> list[re.Pattern[str]]:  # type: ignore[override]
        return [p.regex for p in self._patterns if p.prefix]

    def analyze_string(self, string: str, **_: Any) -> Generator[str, None, None]:
        for pattern in self._patterns:
            if pattern.prefix and pattern.prefix not in string:
                continue
            if pattern.context and not any(
                w in string.lower() for w in pattern.context
            ):
                continue
            for match in pattern.regex.finditer(string):
                value = match.group()
                stand_in = values.is_stand_in_key(value, pattern.prefix)
                if not stand_in and not pattern.rejects(value):
                    yield value


def _detector(provider: str, secret_type: str) -> type[_ProviderDetector]:
    name = "".join(part.title() for part in re.split(r"[-_]", provider)) + "KeyDetector"
    return type(
        name, (_ProviderDetector,), {"provider": provider, "secret_type": secret_type}
    )


OpenAIKeyDetector = _detector("openai", "OpenAI API Key (keyaudit)")
AnthropicKeyDetector = _detector("anthropic", "Anthropic API Key")
GoogleKeyDetector = _detector("google", "Google API Key (keyaudit)")
AzureOpenAIKeyDetector = _detector("azure-openai", "Azure OpenAI Key")
HuggingfaceKeyDetector = _detector("huggingface", "Hugging Face Token")
GroqKeyDetector = _detector("groq", "Groq API Key")
XaiKeyDetector = _detector("xai", "xAI API Key")
OpenrouterKeyDetector = _detector("openrouter", "OpenRouter API Key")
PerplexityKeyDetector = _detector("perplexity", "Perplexity API Key")
ReplicateKeyDetector = _detector("replicate", "Replicate API Token")
TogetherKeyDetector = _detector("together", "Together API Key")
FireworksKeyDetector = _detector("fireworks", "Fireworks API Key")
DeepseekKeyDetector = _detector("deepseek", "DeepSeek API Key")
MistralKeyDetector = _detector("mistral", "Mistral API Key")
CohereKeyDetector = _detector("cohere", "Cohere API Key")
