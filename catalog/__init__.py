"""agent-catalog: scan, lint and publish catalogs of AI agent definitions."""

__version__ = "0.1.0"
