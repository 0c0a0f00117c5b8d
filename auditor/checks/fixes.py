"""Fix suggestions that name the exact file, setting and provider."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from auditor.detect.providers import KEY_PAGES
from auditor.detect.scanner import Occurrence
from auditor.sources import FileInfo
from auditor.sources.reading import display_path

_ENV_NAMES = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google": "GEMINI_API_KEY",
    "azure-openai": "AZURE_OPENAI_API_KEY",
    "huggingface": "HF_TOKEN",
    "groq": "GROQ_API_KEY",
    "xai": "XAI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "perplexity": "PERPLEXITY_API_KEY",
    "replicate": "REPLICATE_API_TOKEN",
    "together": "TOGETHER_API_KEY",
    "fireworks": "FIREWORKS_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "cohere": "CO_API_KEY",
}


def variable_name(occurrence: Occurrence) -> str:
    """Return the variable to read the key from: its setting, or the usual name."""
    setting = occurrence.setting or ""
    last = re.split(r"[.:/]", setting)[-1]
    if re.fullmatch(r"[A-Z][A-Z0-9_]*", last):
        return last
    return _ENV_NAMES.get(occurrence.pattern.provider, "API_KEY")


def rotate(provider: str) -> str:
    page = KEY_PAGES.get(provider, "the provider's console")
    return f"Revoke the key and create a new one at {page}."


def quoted(root: Path, info: FileInfo) -> str:
    return shlex.quote(f"{display_path(root)}/{info.path}")


def replace_literal(root: Path, info: FileInfo, occurrence: Occurrence) -> str:
    """Say how to replace a literal key with a reference, for the file's role."""
    name = variable_name(occurrence)
    path = quoted(root, info)
    where = f"line {occurrence.line} of {path}"
    then_rotate = rotate(occurrence.pattern.provider)
    if info.role == "history":
        return (
            f"Delete {where} from the shell history (edit the file, or `history -d` "
            f"in bash), and pass the key from a secret store next time. {then_rotate}"
        )
    if info.role == "database":
        return (
            f"Remove the key in {info.tool}'s settings screen so that it leaves "
            f"{path}, and let the tool keep it in the OS keychain. {then_rotate}"
        )
    reference = _reference_for(info, name)
    return (
        f"In {where}, replace the key with {reference}, and keep the key itself in "
        f"the OS keychain or a secret manager. {then_rotate}"
    )


def _reference_for(info: FileInfo, name: str) -> str:
    if info.format == "dotenv" and not info.path.endswith(".envrc"):
        # dotenv loaders (python-dotenv, docker compose) do not run `$(...)`,
        # so the reference must be resolved by whatever starts the program.
        return (
            f"a secret reference such as `{name}=op://VAULT/ITEM/credential` and "
            f"start the program with `op run --env-file={info.path.rsplit('/', 1)[-1]}"
            " -- COMMAND` (1Password), or move the variable to a direnv `.envrc` "
            "that reads it from the OS keychain"
        )
    if info.role in ("profile", "dotenv") or info.format == "shell":
        return (
            f"a lookup such as "
            f'`export {name}="$(secret-tool lookup service {name.lower()})"` (Linux), '
            f'`"$(security find-generic-password -s {name} -w)"` (macOS) or '
            f"`op read op://VAULT/ITEM/credential` (1Password)"
        )
    if "continue" in info.tool.lower():
        return f"`${{{{ secrets.{name} }}}}`"
    if "litellm" in info.tool.lower():
        return f"`os.environ/{name}`"
    if info.format in ("json", "jsonc"):
        return (
            f'a reference such as `"${{env:{name}}}"` where the tool supports one, '
            f"or remove the setting and export {name}"
        )
    if info.format == "yaml":
        return f"a reference to the environment variable {name}"
    return f"a read of the environment variable {name}"
