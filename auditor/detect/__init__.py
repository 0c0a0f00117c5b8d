"""Detection of AI-provider keys in text: patterns, references, fingerprints."""
