"""`abreast mcp`: the store as read-only tools for any Model Context Protocol client, over stdio.

Why read-only and offline: an assistant that calls these tools is driven by text from the web
(prompt injection reaches it through the very items it reads), so nothing here can write to the
store, fetch a URL or run a model. The database is opened with SQLite's read-only flag,
so even a bug in a tool cannot change it. Answers are the same data the CLI shows, as JSON.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from .. import config
from ..errors import AbreastError
from ..store.items import Store

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, openWorldHint=False)

INSTRUCTIONS = (
    "abreast's tools search one reader's local collection of AI/LLM news (Hacker News, arXiv, lab "
    "blogs, Reddit, Hugging Face). Cite the url of every item you use. When `ask` says the store "
    "has nothing on a question, say so instead of answering from memory."
)


def open_read_only(settings: config.Settings) -> Store:
    path = settings.paths.db
    if not path.exists():
        raise AbreastError(
            f"no database at {path}: run `abreast fetch` and `abreast process` first."
        )
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return Store(conn)


def build_server(store: Store) -> MCPServer:
    server = MCPServer(name="abreast", instructions=INSTRUCTIONS)

    @server.tool(annotations=READ_ONLY)
    def search_items(
        query: str, since: str | None = None, until: str | None = None, limit: int = 10
    ) -> list[dict[str, Any]]:
        """Search the collected items (full text and meaning together). Dates are YYYY-MM-DD;
        each result has its url, source, date and a one-line reason."""
        from ..retrieve.query import search

        hits = search(store, query, since=since, until=until, limit=max(1, min(limit, 50)))
        return [h.__dict__ for h in hits]

    @server.tool(annotations=READ_ONLY)
    def week_stories(week: str | None = None, limit: int = 10) -> dict[str, Any]:
        """A week's ranked stories (ISO week such as 2024-W51; default: the last full week)."""
        from ..store.stories import load_week
        from ..stories.weeks import default_week

        wk = week or default_week(store.conn)
        if not wk:
            return {"week": None, "stories": []}
        stories = load_week(store.conn, wk)[: max(1, min(limit, 50))]
        return {
            "week": wk,
            "stories": [
                {
                    "id": s.id,
                    "rank": s.rank,
                    "title": s.title,
                    "score": round(s.score, 3),
                    "is_new": s.is_new,
                    "sources": [m.url for m in s.members if m.url][:5],
                }
                for s in stories
            ],
        }

    @server.tool(annotations=READ_ONLY)
    def story(story_id: str) -> dict[str, Any]:
        """One story: its sources with links and its cited summary (each sentence with its url)."""
        from ..store.stories import load_story

        s = load_story(store.conn, story_id)
        if s is None:
            raise ValueError(f"no story {story_id!r}; week_stories lists story ids")
        summary = (s.summary or {}).get("sentences", [])
        return {
            "id": s.id,
            "week": s.week,
            "title": s.title,
            "sources": [
                {"title": m.title, "url": m.url, "source": m.source, "published_at": m.published_at}
                for m in s.members
            ],
            "summary": [
                {"text": x.get("text"), "url": x.get("url"), "verified": x.get("verified")}
                for x in summary
            ],
            "continues": list(s.related),
        }

    @server.tool(annotations=READ_ONLY)
    def explain_term(term: str) -> dict[str, Any]:
        """Plain-language definition of an AI term and the stored items where it appears."""
        from ..explain.glossary import find_term, items_mentioning

        t = find_term(term)
        if t is None:
            return {"term": term, "found": False}
        rows = items_mentioning(store, t, limit=8)
        return {
            "term": t.term,
            "found": True,
            "definition": t.definition,
            "appears_in": [{"title": r["title"], "url": r["url"]} for r in rows],
        }

    @server.tool(annotations=READ_ONLY)
    def ask(question: str, since: str | None = None, until: str | None = None) -> dict[str, Any]:
        """Answer a question from the store with verbatim, cited sentences; says when the store has
        nothing on it."""
        from .answer import ask as answer

        return answer(store, question, since=since, until=until).to_dict()

    return server


def serve(settings: config.Settings) -> None:
    build_server(open_read_only(settings)).run("stdio")
