"""A model's family and version in its entity id, and whether a title names that model: the
lineage that continuity (novelty.py) follows and the release the score (rank.py) counts."""

from __future__ import annotations

import re
from functools import lru_cache

# "model:llama-3.3-70b" -> family "llama", version (3, 3), rest "-70b"; "model:o3" -> "o", (3,), "".
_VERSIONED = re.compile(r"^model:([a-z]+(?:-[a-z]+)*?)-?(\d+(?:\.\d+)?)(.*)$")
# What may follow the version for the name to still be the model itself, not a community derivative.
_PLAIN_REST = re.compile(
    r"^(?:-\d+(?:\.\d+)?[bm])?"
    r"(?:-(?:instruct|chat|preview|mini|pro|flash|thinking|base|it|turbo|large|small)){0,2}$"
)


# Continuity asks for the version of every model named in 8 earlier weeks, for every story: the
# same few thousand ids over and over (0.4 s of the demo's process before this cache).
@lru_cache(maxsize=65536)
def version(entity: str) -> tuple[str, tuple[int, ...], str] | None:
    """(family, version numbers, rest) of a versioned model id; None for a bare family name or a
    community derivative ("model:qwen-2.5-7b-spanish-o1-cot")."""
    m = _VERSIONED.match(entity)
    if not m or not _PLAIN_REST.match(m.group(3)):
        return None
    return m.group(1), tuple(int(x) for x in m.group(2).split(".")), m.group(3)


def names_model(entity: str, title: str) -> bool:
    """Whether ``title`` names the model itself (family and version), not only mentions it in
    passing in a text: "OpenAI o1 System Card" names model:o1."""
    v = version(entity)
    if v is None:
        return False
    family, numbers, _ = v
    ver = "\\.".join(str(x) for x in numbers)
    if len(family) == 1:
        # A one-letter family ("o" of o1) is also the tail of other names ("Marco-o1",
        # "LLaVA-o1"): it must stand alone, not after a hyphen.
        flat = re.sub(r"[\s_]+", " ", title.lower())
        return re.search(rf"(?<![a-z0-9-]){family}{ver}(?![0-9.])", flat) is not None
    flat = re.sub(r"[\s_]+", "-", title.lower())
    return re.search(rf"(?<![a-z0-9]){re.escape(family)}-?{ver}(?![0-9.])", flat) is not None
