"""keyaudit: audit how AI-provider API keys are kept on machines and in git."""

__version__ = "0.1.0"
