"""The JSON API under /api: the same views the pages show, documented in /openapi.json."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from . import actions, interests, queries

router = APIRouter(prefix="/api", tags=["api"])


def store(request: Request):
    return request.app.state.stores.get()


class WeekOut(BaseModel):
    week: str = Field(description="ISO week, e.g. 2024-W51")
    items: int
    stories: int


class StoriesOut(BaseModel):
    week: str | None
    total: int = Field(description="stories of the week before filters")
    stories: list[dict] = Field(
        description="ranked story cards: title, themes, sources, cited summary, jargon"
    )
    hint: str | None = None


class ItemsOut(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict]


class FeedbackIn(BaseModel):
    signal: Literal["more", "less", "save", "hide", "known"]
    item_key: str | None = Field(None, description="e.g. hn:42166030")
    story_id: str | None = Field(None, description="e.g. 2024-W51-3f9a2c")


class FeedbackOut(BaseModel):
    item_key: str | None
    story_id: str | None
    state: str | None = Field(
        description="the target's current signal; null after pressing the same one twice"
    )


class MuteIn(BaseModel):
    kind: Literal["source", "domain", "term"]
    target: str = Field(description="a source name, a site (example.com) or a glossary term")


class InterestsOut(BaseModel):
    signals: int = Field(description="more/less/save/hide signals the model learnt from")
    topics: list[str] = Field(
        default_factory=list, description="the configured topics the ranking starts from"
    )
    more: list[str] = Field(description="what the reader wants more of, in words")
    less: list[str]
    muted: list[dict] = Field(description="{kind, value, what, label} per mute")
    known: list[dict] = Field(description="{id, term} per glossary term marked known")


class SourceIn(BaseModel):
    kind: Literal["hn", "arxiv", "feed", "reddit", "hf"]
    target: str = Field(description="feed URL, subreddit, or search query")
    name: str | None = None


class SourceName(BaseModel):
    name: str


class CsrfOut(BaseModel):
    csrf_token: str
    header: str = "X-CSRF-Token"


@router.get("/csrf", response_model=CsrfOut, summary="The CSRF token to send with POST requests")
def csrf(request: Request):
    return CsrfOut(csrf_token=request.state.csrf_token)


@router.get("/weeks", response_model=list[WeekOut], summary="Weeks with items, newest first")
def weeks(request: Request):
    return [asdict(w) for w in request.app.state.stores.view(("weeks",), queries.weeks)]


@router.get("/weeks/{week}/stories", response_model=StoriesOut, summary="A week's ranked stories")
def week_stories(
    request: Request,
    week: str,
    theme: str | None = None,
    source: str | None = None,
    limit: int = 100,
):
    limit = max(1, min(limit, 2000))
    v = request.app.state.stores.view(
        ("week", week, theme, source, limit),
        lambda st: queries.week_view(
            st, week, theme, source, limit, weight=request.app.state.settings.learn.weight
        ),
    )
    return StoriesOut(week=v.week, total=v.total, stories=v.stories, hint=v.hint)


@router.get(
    "/stories/{story_id}", summary="One story: members, cited summary, related stories, score parts"
)
def story(request: Request, story_id: str) -> dict:
    v = queries.story_view(store(request), story_id)
    if v is None:
        raise HTTPException(404, f"no story {story_id!r}")
    return v


@router.get(
    "/items", response_model=ItemsOut, summary="The item stream, or a full-text search with q"
)
def items(
    request: Request,
    q: str = "",
    week: str | None = None,
    source: str | None = None,
    ai_only: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    all_time: bool = Query(
        False, description="search every item, not only the 100,000 most recently collected"
    ),
):
    v = queries.items_view(
        store(request), q, week, source, ai_only, limit, offset, all_time=all_time
    )
    return ItemsOut(total=v.total, offset=v.offset, limit=v.limit, items=v.items)


@router.get("/feedback", summary="Every feedback signal given, oldest first (the export)")
def feedback_export(request: Request) -> list[dict]:
    return queries.feedback_export(store(request))


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    summary="Say more/less/save/hide about an item or story",
)
def feedback(request: Request, body: FeedbackIn):
    state = actions.record_feedback(store(request), body.signal, body.item_key, body.story_id)
    return FeedbackOut(item_key=body.item_key, story_id=body.story_id, state=state)


@router.get(
    "/interests",
    response_model=InterestsOut,
    summary="What abreast learnt from your feedback, your mutes and the terms you know",
)
def interests_get(request: Request):
    return InterestsOut(**interests.interests_view(store(request)))


@router.post("/mute", summary="Never show a source, a site or a term (a hard filter)")
def mute(request: Request, body: MuteIn) -> dict:
    return {"note": interests.mute(store(request), body.target, body.kind)}


@router.post("/unmute", summary="Take a mute back")
def unmute(request: Request, body: MuteIn) -> dict:
    return {"note": interests.unmute(store(request), body.kind, body.target)}


@router.post("/interests/reset", summary="Forget every more/less/save/hide signal")
def interests_reset(request: Request) -> dict:
    return {"note": interests.reset(store(request))}


@router.get("/sources", summary="Sources with status, last fetch and errors")
def sources(request: Request) -> list[dict]:
    return queries.sources_view(store(request))


@router.post("/sources", summary="Add a source", status_code=201)
def add_source(request: Request, body: SourceIn) -> dict:
    return {"name": actions.add_source(store(request), body.kind, body.target, body.name)}


@router.post("/sources/remove", summary="Remove a source (its items stay)")
def remove_source(request: Request, body: SourceName) -> dict:
    actions.remove_source(store(request), body.name)
    return {"removed": body.name}


@router.post("/sources/retry", summary="Resume a paused or failing source")
def retry_source(request: Request, body: SourceName) -> dict:
    actions.retry_source(store(request), body.name)
    return {"retried": body.name}
