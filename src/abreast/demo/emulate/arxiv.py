"""arXiv API (export.arxiv.org/api/query): Atom 1.0 with OpenSearch paging, from the recorded
entries.

Supported search_query: fields cat, ti, abs, au, all, id, submittedDate:[A TO B]; AND, OR, ANDNOT
and parentheses. Entries whose categories were not recorded (the keyword listings) match every
`cat:` term, so a category query still finds them; entries whose abstract was not recorded have no
<summary>. Sorting: submittedDate and lastUpdatedDate use the recorded dates; relevance is served
newest first.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from . import Response, from_iso, int_param

ATOM = "application/atom+xml; charset=utf-8"
TOKEN = re.compile(r'\s*(\(|\)|[A-Za-z]+:"[^"]*"|[A-Za-z]+:\[[^\]]*\]|[^\s()]+)')
SCHEME = "http://arxiv.org/schemas/atom"


def respond(path: str, params: dict[str, list[str]], entries: list[dict]) -> Response:
    if path != "/api/query":
        return _error("unknown path", 404)
    # arXiv reads a literal "+" in search_query as a space (clients often send `+OR+` pre-encoded).
    query = params.get("search_query", [""])[-1].replace("+", " ").strip()
    id_list = [i.strip() for i in params.get("id_list", [""])[-1].split(",") if i.strip()]
    try:
        start = int_param(params, "start", 0, 0, 10**6)
        max_results = int_param(params, "max_results", 10, 0, 2000)
        predicate = parse_query(query) if query else (lambda e: True)
    except ValueError as exc:
        return _error(str(exc), 400)
    sort_by = params.get("sortBy", ["relevance"])[-1]
    descending = params.get("sortOrder", ["descending"])[-1] != "ascending"
    wanted = {re.sub(r"v\d+$", "", i) for i in id_list}
    matched = [e for e in entries if (not wanted or e["id"] in wanted) and predicate(e)]
    date_key = "updated" if sort_by == "lastUpdatedDate" else "published"
    matched.sort(key=lambda e: (e.get(date_key) or e["published"], e["id"]), reverse=descending)
    page = matched[start : start + max_results]
    newest = max(e["published"] for e in entries)
    body = render_feed(query, id_list, start, max_results, len(matched), page, newest)
    return Response(200, body.encode("utf-8"), ATOM, from_iso(newest))


# ---------------------------------------------------------------- query language


def parse_query(text: str):
    tokens = TOKEN.findall(text)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def expr():
        left = conj()
        while peek() == "OR":
            take()
            left = _or(left, conj())
        return left

    def conj():
        left = atom()
        while peek() in ("AND", "ANDNOT"):
            op = take()
            right = atom()
            left = _and(left, right) if op == "AND" else _andnot(left, right)
        return left

    def atom():
        tok = peek()
        if tok is None or tok in ("AND", "OR", "ANDNOT", ")"):
            raise ValueError(f"malformed search_query: {text!r}")
        take()
        if tok == "(":
            inner = expr()
            if peek() != ")":
                raise ValueError(f"unbalanced parentheses in search_query: {text!r}")
            take()
            return inner
        return term(tok)

    result = expr()
    if peek() is not None:
        raise ValueError(f"malformed search_query: {text!r}")
    return result


def _or(a, b):
    return lambda e: a(e) or b(e)


def _and(a, b):
    return lambda e: a(e) and b(e)


def _andnot(a, b):
    return lambda e: a(e) and not b(e)


def term(token: str):
    field, _, value = token.partition(":") if ":" in token else ("all", "", token)
    value = value.strip('"')
    if field == "cat":
        return lambda e: _category_matches(e, value)
    if field in ("submittedDate", "lastUpdatedDate"):
        return _date_range(field, value)
    if field == "id":
        return lambda e: e["id"] == re.sub(r"v\d+$", "", value)
    texts = {
        "ti": lambda e: e["title"],
        "abs": lambda e: e.get("summary", ""),
        "au": lambda e: " ".join(e.get("authors", [])),
        "all": lambda e: " ".join([e["title"], e.get("summary", ""), *e.get("authors", [])]),
    }
    if field not in texts:
        raise ValueError(f"unsupported search field {field!r}")
    words = value.lower().split()
    return lambda e: all(w in texts[field](e).lower() for w in words)


def _category_matches(entry: dict, value: str) -> bool:
    categories = entry.get("categories")
    if not categories:
        return True  # not recorded: served for every category query (see module docstring)
    if value.endswith("*"):
        return any(c.startswith(value[:-1]) for c in categories)
    return value in categories


def _date_range(field: str, value: str):
    m = re.fullmatch(r"\[\s*(\d{8,12})\s+TO\s+(\d{8,12})\s*\]", value)
    if not m:
        raise ValueError(
            f"invalid {field} range {value!r}; expected [YYYYMMDDHHMM TO YYYYMMDDHHMM]"
        )
    lo, hi = m.group(1).ljust(12, "0"), m.group(2).ljust(12, "9")
    key = "updated" if field == "lastUpdatedDate" else "published"

    def inside(entry: dict) -> bool:
        stamp = entry.get(key)
        if not stamp:
            return False
        compact = re.sub(r"\D", "", stamp)[:12]
        return lo <= compact <= hi

    return inside


# ---------------------------------------------------------------- Atom rendering


def render_feed(
    query: str,
    id_list: list[str],
    start: int,
    max_results: int,
    total: int,
    page: list[dict],
    updated: str,
) -> str:
    echo = (
        f"search_query={query}&id_list={','.join(id_list)}&start={start}&max_results={max_results}"
    )
    feed_id = hashlib.sha1(echo.encode()).hexdigest()[:27]
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
        f' xmlns:arxiv="{SCHEME}">',
        f"  <link href={quoteattr('http://arxiv.org/api/query?' + quote(echo, safe=''))}"
        ' rel="self" type="application/atom+xml"/>',
        f'  <title type="html">ArXiv Query: {escape(echo)}</title>',
        f"  <id>http://arxiv.org/api/{feed_id}</id>",
        f"  <updated>{updated}</updated>",
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>",
    ]
    return "\n".join(head + [render_entry(e) for e in page] + ["</feed>", ""])


def render_entry(entry: dict) -> str:
    versioned = entry["id"] + (f"v{entry['version']}" if "version" in entry else "")
    lines = ["  <entry>", f"    <id>http://arxiv.org/abs/{versioned}</id>"]
    if "updated" in entry:
        lines.append(f"    <updated>{entry['updated']}</updated>")
    lines.append(f"    <published>{entry['published']}</published>")
    lines.append(f"    <title>{escape(entry['title'])}</title>")
    if "summary" in entry:
        lines.append(f"    <summary>{escape(entry['summary'])}</summary>")
    lines += [
        f"    <author>\n      <name>{escape(name)}</name>\n    </author>"
        for name in entry.get("authors", [])
    ]
    lines.append(
        f'    <link href="http://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>'
    )
    lines.append(
        f'    <link title="pdf" href="http://arxiv.org/pdf/{versioned}" rel="related" '
        'type="application/pdf"/>'
    )
    lines += [
        f'    <category term={quoteattr(c)} scheme="{SCHEME}"/>'
        for c in entry.get("categories", [])
    ]
    lines.append("  </entry>")
    return "\n".join(lines)


def _error(message: str, status: int) -> Response:
    # arXiv answers errors as an Atom feed holding one entry titled "Error".
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <title>ArXiv Query: error</title>\n  <entry>\n    <id>http://arxiv.org/api/errors</id>\n"
        f"    <title>Error</title>\n    <summary>{escape(message)}</summary>\n  </entry>\n</feed>\n"
    )
    return Response(status, body.encode("utf-8"), ATOM)
