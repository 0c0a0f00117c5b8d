"""Built-in policies, the locations table and their JSON Schema, shipped as package data."""
