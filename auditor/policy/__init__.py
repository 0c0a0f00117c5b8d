"""Policies: YAML files of rules and settings, validated against a JSON Schema."""

from auditor.policy.loader import Policy, Rule, load_policy, validate_policy_file

__all__ = ["Policy", "Rule", "load_policy", "validate_policy_file"]
