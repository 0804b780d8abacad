"""The HTML pages. GET never changes state; every POST passed the CSRF check in the middleware."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from ..errors import AbreastError
from . import actions, interests, media, queries
from .templates import render

router = APIRouter(include_in_schema=False)

SVG_HEADERS = {"cache-control": "no-cache"}


def checked_week(week: str) -> str:
    """A week from a URL is data, never a pattern or a path: 2024-W51 or 404."""
    if not media.is_week(week):
        raise HTTPException(404, "no such week: weeks look like 2024-W51")
    return week


def store(request: Request):
    return request.app.state.stores.get()


def settings(request: Request):
    return request.app.state.settings


def back_to(next_path: str | None, fallback: str = "/") -> str:
    """Only same-site paths: '/x' yes, '//evil.org' or 'https://...' no (open redirect)."""
    if (
        next_path
        and next_path.startswith("/")
        and not next_path.startswith("//")
        and "\\" not in next_path
    ):
        return next_path
    return fallback


def see_other(path: str, **params) -> RedirectResponse:
    """303 after a POST, so a reload does not repeat it; params are URL-encoded (names may hold
    '&')."""
    return RedirectResponse(f"{path}?{urlencode(params)}" if params else path, status_code=303)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@router.get("/favicon.ico")
def favicon():
    return FileResponse(
        Path(__file__).parent / "static" / "favicon.svg", media_type="image/svg+xml"
    )


# --- this week, story, items ---------------------------------------------------------------------


@router.get("/")
def week_page(
    request: Request,
    week: str | None = None,
    theme: str | None = None,
    source: str | None = None,
    limit: int | None = None,
):
    args = (
        week or None,
        theme or None,
        source or None,
        max(1, min(limit, 2000)) if limit else None,
    )
    view = request.app.state.stores.view(
        ("week", *args),
        lambda st: queries.week_view(
            st,
            *args,
            weight=settings(request).learn.weight,
            minutes=settings(request).week.reading_minutes,
        ),
    )
    return render(
        request,
        "week.html",
        title=f"This week · {view.week or 'no data'}",
        view=view,
        theme=theme or "",
        source=source or "",
    )


@router.get("/week/{week}")
def week_alias(week: str):
    return RedirectResponse(f"/?{urlencode({'week': week})}", status_code=307)


@router.get("/story/{story_id}")
def story_page(request: Request, story_id: str):
    story = queries.story_view(store(request), story_id)
    if story is None:
        return render(
            request,
            "error.html",
            status_code=404,
            title="No such story",
            message=f"There is no story {story_id!r}. It may belong to a week that was rebuilt.",
        )
    return render(
        request,
        "story.html",
        title=story["title"],
        story=story,
        card=story["card"],
        card_note=story["card_note"],
        mute_targets=interests.mute_targets(story),
    )


@router.get("/saved")
def saved_page(request: Request):
    return render(request, "saved.html", title="Saved", view=queries.saved_view(store(request)))


@router.get("/items")
def items_page(
    request: Request,
    q: str = "",
    week: str | None = None,
    source: str | None = None,
    ai: bool = False,
    offset: int = 0,
    hidden: bool = False,
    all: bool = False,
):
    view = queries.items_view(
        store(request), q, week or None, source or None, ai, 50, offset, hidden, all_time=all
    )
    sources = [(s["name"], s["label"]) for s in queries.sources_view(store(request))]
    return render(
        request,
        "items.html",
        title="Items",
        view=view,
        # the week menu from the shared view cache: counting stories per week is a pass over
        # every story, which a search at 1M items must not repeat per request (issue 20)
        weeks=request.app.state.stores.view(("weeks",), queries.weeks),
        sources=sources,
        hidden=hidden,
    )


@router.post("/feedback")
def feedback(
    request: Request,
    signal: str = Form(...),
    item_key: str = Form(""),
    story_id: str = Form(""),
    next: str = Form("/"),
):
    if signal not in ("more", "less", "save", "hide", "known"):
        raise AbreastError(f"unknown feedback {signal!r}")
    state = actions.record_feedback(store(request), signal, item_key or None, story_id or None)
    if not is_htmx(request):
        return RedirectResponse(back_to(next), status_code=303)
    target = {"item_key": item_key or None, "story_id": story_id or None, "feedback": state}
    return render(request, "_feedback.html", target=target, next_path=back_to(next))


# --- interests: what abreast learnt, mutes, known terms (issue 16) ------------------------------


@router.get("/interests")
def interests_page(request: Request, note: str = ""):
    return render(
        request,
        "interests.html",
        title="Interests",
        view=interests.interests_view(store(request)),
        note=note,
    )


@router.post("/mute")
def mute(request: Request, target: str = Form(...), kind: str = Form(...), next: str = Form("")):
    note = interests.mute(store(request), target, kind)
    return _after_interest_change(next, note)


@router.post("/unmute")
def unmute(request: Request, kind: str = Form(...), value: str = Form(...), next: str = Form("")):
    return _after_interest_change(next, interests.unmute(store(request), kind, value))


@router.post("/known-term")
def known_term(
    request: Request, term: str = Form(...), known: str = Form("1"), next: str = Form("")
):
    note = interests.mark_known(store(request), term, known=known != "0")
    return _after_interest_change(next, note)


@router.post("/interests/reset")
def interests_reset(request: Request):
    return see_other("/interests", note=interests.reset(store(request)))


def _after_interest_change(next_path: str, note: str) -> RedirectResponse:
    """Back where the button was (a story page), or to the Interests page with what happened."""
    if next_path:
        return RedirectResponse(back_to(next_path), status_code=303)
    return see_other("/interests", note=note)


# --- trends and models ---------------------------------------------------------------------------


@router.get("/trends")
def trends_page(request: Request, week: str | None = None):
    st = store(request)
    week = week or queries.default_week(st)
    return render(
        request,
        "trends.html",
        title="Trends",
        view=media.trends_view(st, week),
        weeks=queries.weeks(st),
    )


@router.get("/trends/chart.svg")
def trend_chart(request: Request, week: str, term: str):
    data = media.trend_chart(store(request), week, term)
    if data is None:
        raise HTTPException(404, "no such term")
    return Response(data, media_type="image/svg+xml", headers=SVG_HEADERS)


@router.get("/models")
def models_page(request: Request, family: str | None = None, week: str | None = None):
    st = store(request)
    return render(
        request,
        "models.html",
        title="Models",
        view=media.models_view(st, family or None, week=week or None),
        weeks=queries.weeks(st),
    )


@router.get("/models/tree.svg")
def family_tree(request: Request, family: str, week: str | None = None):
    data = media.family_tree_svg(store(request), family, week or None)
    if data is None:
        raise HTTPException(404, "no tree for that family")
    return Response(data, media_type="image/svg+xml", headers=SVG_HEADERS)


@router.get("/model/{model_id:path}")
def model_page(request: Request, model_id: str):
    card = media.model_card_view(store(request), model_id)
    if card is None:
        raise HTTPException(404, "no such model in the registry")
    return render(request, "model.html", title=card.name, card=card)


# --- the draft -----------------------------------------------------------------------------------


@router.get("/draft")
def draft_page(request: Request, week: str | None = None, note: str = ""):
    st = store(request)
    week = checked_week(week) if week else queries.default_week(st)
    draft = media.draft_view(st, settings(request), week) if week else None
    return render(
        request,
        "draft.html",
        title=f"Draft · {week or 'no data'}",
        draft=draft,
        week=week,
        weeks=queries.weeks(st),
        note=note,
    )


@router.post("/draft/{week}/regenerate")
def draft_regenerate(request: Request, week: str):
    checked_week(week)
    path, problem = media.regenerate(store(request), settings(request), week)
    if problem:
        raise AbreastError(problem)
    note = (
        "regenerated"
        if path.name == "index.md"
        else f"regenerated into {path.name}: your edited index.md is kept"
    )
    return see_other("/draft", week=week, note=note)


@router.get("/draft/{week}/bundle.zip")
def draft_zip(request: Request, week: str):
    checked_week(week)
    data = media.bundle_zip(store(request), settings(request), week)
    if data is None:
        raise HTTPException(404, "no draft for that week")
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="abreast-{week}.zip"'},
    )


@router.get("/draft/{week}/files/{name:path}")
def draft_file(request: Request, week: str, name: str):
    checked_week(week)
    data = media.bundle_file(store(request), settings(request), week, name)
    if data is None:
        raise HTTPException(404, "no such file in the draft")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(data, media_type=kind, headers=SVG_HEADERS if kind == "image/svg+xml" else None)


# --- sources -------------------------------------------------------------------------------------


@router.get("/sources")
def sources_page(request: Request, note: str = ""):
    return render(
        request,
        "sources.html",
        title="Sources",
        sources=queries.sources_view(store(request)),
        note=note,
    )


@router.post("/sources/add")
def source_add(
    request: Request, kind: str = Form(...), target: str = Form(...), name: str = Form("")
):
    added = actions.add_source(store(request), kind, target, name or None)
    return see_other("/sources", note=f"added {added}")


@router.post("/sources/remove")
def source_remove(request: Request, name: str = Form(...)):
    actions.remove_source(store(request), name)
    return see_other("/sources", note=f"removed {name}")


@router.post("/sources/retry")
def source_retry(request: Request, name: str = Form(...)):
    actions.retry_source(store(request), name)
    return see_other("/sources", note=f"{name} will be fetched again")


@router.post("/sources/import")
def source_import(request: Request, opml: UploadFile = File(...)):
    data = opml.file.read(5 * 1024 * 1024 + 1)
    added = actions.import_opml(store(request), data)
    return see_other("/sources", note=f"imported {added} feeds")


@router.get("/sources.opml")
def sources_opml(request: Request):
    return Response(
        actions.export_opml(store(request)),
        media_type="text/x-opml",
        headers={"content-disposition": 'attachment; filename="abreast-sources.opml"'},
    )
