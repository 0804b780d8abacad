"""The Ask page and POST /api/ask: a question over the store, answered with verified citations.

POST, not GET, because with a configured model an answer costs a model call and writes an audit
record (llm_calls); the CSRF check of every other POST route applies.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field

from ..ask.answer import ask
from ..explain.llm_backend import configured_model_id, load_model

router = APIRouter()

MAX_QUESTION = 500  # characters: a question, not a document


def _answer(request: Request, question: str, since: str | None, until: str | None):
    settings = request.app.state.settings
    mid = configured_model_id(settings, None)
    model = load_model(mid) if mid else None
    store = request.app.state.stores.get()
    return ask(
        store, question[:MAX_QUESTION], since=since or None, until=until or None, model=model
    )


@router.get("/ask")
def ask_page(request: Request):
    from .app import render

    return render(request, "ask.html", title="Ask", question="", answer=None)


@router.post("/ask")
def ask_form(
    request: Request,
    question: str = Form(..., max_length=MAX_QUESTION),
    since: str = Form(""),
    until: str = Form(""),
):
    from .app import render

    answer = _answer(request, question, since, until) if question.strip() else None
    return render(request, "ask.html", title="Ask", question=question, answer=answer)


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    since: str | None = Field(None, description="YYYY-MM-DD: only items published on or after")
    until: str | None = Field(None, description="YYYY-MM-DD: only items published before")


@router.post("/api/ask", tags=["api"], summary="Answer a question from the store, with citations")
def ask_api(request: Request, body: AskIn) -> dict:
    return _answer(request, body.question, body.since, body.until).to_dict()
