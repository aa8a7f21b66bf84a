"""Stage 2: read a file into frontmatter and body, strictly first, then as its tool does."""
