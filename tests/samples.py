"""Agent file texts more than one test module uses."""

# Issue 2's example: the agent wizard's description spread over several physical lines, with
# unindented `Context:` / `user:` / `assistant:` / `<commentary>` lines that strict YAML rejects.
QUERY_TUNER = """\
---
name: query-tuner
description: Use this agent when a query is slow. Examples:\\n\\n<example>
Context: The dashboard endpoint times out.
user: "Our analytics page takes 30 seconds to load"
assistant: "I'll use the query-tuner agent to find out why."
<commentary>
Slow queries are exactly what this agent is for.
</commentary>
</example>
color: green
---
You tune queries.
"""
