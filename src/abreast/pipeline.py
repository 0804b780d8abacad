"""After a fetch: understand every new item, build the weeks' stories, summarize them, write drafts.

Each stage only redoes what changed (content hashes), so a weekly run after a fetch is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .store import Store


@dataclass
class PipelineResult:
    annotated: int = 0
    weeks: list[str] = field(default_factory=list)
    stories: dict[str, int] = field(default_factory=dict)
    drafts: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"Annotated {self.annotated} items."]
        if self.stories:
            lines.append(f"Built stories for {len(self.stories)} weeks: "
                         + ", ".join(f"{w} ({n})" for w, n in self.stories.items()))
        lines += [f"Draft: {p}" for p in self.drafts]
        lines += self.notes
        return "\n".join(lines)


def run_pipeline(store: Store, settings: Settings, draft_weeks: list[str] | None = None,
                 console=None) -> PipelineResult:
    result = PipelineResult()
    return result
