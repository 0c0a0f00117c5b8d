"""Every random key of every shape is found: no stand-in filter eats real keys."""

from __future__ import annotations

import pytest
from fakekeys import FakeKeys

from auditor.detect.scanner import find_keys
from auditor.formats import parse

KEYS_PER_SHAPE = 2000

# Shape, and the setting name that gives context-only shapes their context.
SHAPES = [
    ("openai_user", "OPENAI_API_KEY"),
    ("openai_project", "OPENAI_API_KEY"),
    ("openai_service_account", "OPENAI_API_KEY"),
    ("openai_admin", "OPENAI_ADMIN_KEY"),
    ("anthropic", "ANTHROPIC_API_KEY"),
    ("anthropic_admin", "ANTHROPIC_ADMIN_KEY"),
    ("anthropic_oauth", "CLAUDE_CODE_OAUTH_TOKEN"),
    ("google", "GEMINI_API_KEY"),
    ("azure", "AZURE_OPENAI_API_KEY"),
    ("huggingface", "HF_TOKEN"),
    ("groq", "GROQ_API_KEY"),
    ("xai", "XAI_API_KEY"),
    ("openrouter", "OPENROUTER_API_KEY"),
    ("perplexity", "PERPLEXITY_API_KEY"),
    ("replicate", "REPLICATE_API_TOKEN"),
    ("together", "TOGETHER_API_KEY"),
    ("deepseek", "DEEPSEEK_API_KEY"),
    ("mistral", "MISTRAL_API_KEY"),
    ("cohere", "COHERE_API_KEY"),
]


@pytest.mark.parametrize(("shape", "name"), SHAPES)
def test_every_random_key_found(shape: str, name: str) -> None:
    """A stand-in filter that rejects random keys shows up as a shortfall here."""
    keys = FakeKeys(seed=len(shape))
    planted = [getattr(keys, shape)() for _ in range(KEYS_PER_SHAPE)]
    # Context-only shapes need their context within three lines, so each key
    # sits in its own block, separated by more than the context window.
    text = "\n\n\n\n\n".join(f"{name}={key}" for key in planted)

    found = {occurrence.key for occurrence in find_keys(parse(text, "dotenv"))}

    missed = [key for key in planted if key not in found]
    assert len(missed) == 0, f"{len(missed)} of {KEYS_PER_SHAPE} {shape} keys missed"
