"""Report templates and the report JSON Schema, shipped as package data."""
