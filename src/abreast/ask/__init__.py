"""Ask: questions over everything collected, answered with verified citations (CLI, web, MCP)."""
