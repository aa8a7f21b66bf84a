"""Stage 5: agent pages, shared pages and JSON output from the templates."""
