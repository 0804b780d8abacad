"""Settings and paths. This module is the ONE owner of every path abreast reads or writes, and of
every setting's name, type, allowed values and default.

Each section of ``abreast.toml`` is a frozen dataclass below; its fields are the only keys that
section accepts. The defaults live there and nowhere else: ``DEFAULT_TOML`` (what ``abreast init``
writes) is generated from them, and code that needs a default reads the dataclass.

Precedence: built-in defaults < ``$ABREAST_HOME/abreast.toml`` < ``ABREAST_<SECTION>_<KEY>``
environment variables < ``overrides`` passed to ``load()`` by a command (the demo allows loopback
addresses that way). Every value from every layer is checked against its field: a wrong type, a
value out of range or an unknown key is one ``ConfigError`` line naming the key, the value and what
is allowed, raised before any command does any work (a bad timeout must not look like 16 broken
sources). Tests point ``ABREAST_HOME`` at a temp dir, so no test touches a real home.
"""

from __future__ import annotations

import copy
import difflib
import ipaddress
import json
import math
import os
import re
import tomllib
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

DRAFT_FORMATS = ("hugo", "jekyll", "plain")
USER_AGENT = "abreast/0.1 (+https://github.com/abreast-dev/abreast; local-first AI news reader)"
# ABREAST_* variables that are not settings although they look like one (a token is never written
# to abreast.toml).
NOT_SETTINGS = frozenset({"ABREAST_WEB_TOKEN"})


def _setting(
    default: Any,
    doc: str,
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    choices: tuple[str, ...] | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    """A field with its one-line doc (written into DEFAULT_TOML) and the values it allows:
    ``low``/``high`` inclusive bounds, ``above`` an exclusive lower bound, ``choices`` the only
    strings allowed, ``check(value)`` a last test returning what is wrong or None."""
    meta = {
        "doc": doc,
        "low": low,
        "high": high,
        "above": above,
        "choices": choices,
        "check": check,
    }
    if isinstance(default, list | dict):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)


def _ip_networks(entries: list[str]) -> str | None:
    for entry in entries:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            return (
                f"{entry!r} is not an IP address or network (write 127.0.0.1, ::1 or 10.0.0.0/8; "
                "host names are not accepted because they can change what they point to)"
            )
    return None


def _http_base(value: str) -> str | None:
    if value and not value.startswith(("http://", "https://")):
        return "it must be empty or an http(s):// URL"
    return None


def _not_blank(value: str) -> str | None:
    return "it must not be empty" if not value.strip() else None


THEME_KEYS = {"label": str, "description": str, "keywords": list}


def _themes(value: dict[str, Any]) -> str | None:
    """A custom taxonomy: each theme id is a table of label, description and keywords."""
    for tid, spec in value.items():
        if not isinstance(spec, dict):
            return f"theme {tid!r} must be a table with {', '.join(THEME_KEYS)}"
        for key, v in spec.items():
            if key not in THEME_KEYS:
                return f"theme {tid!r} has an unknown key {key!r}{_did_you_mean(key, THEME_KEYS)}"
            want = THEME_KEYS[key]
            if not isinstance(v, want) or (want is list and not all(isinstance(k, str) for k in v)):
                return (
                    f"theme {tid!r}: {key} must be "
                    f"{'a list of strings' if want is list else 'a string'}"
                )
        if not (spec.get("description") or spec.get("label") or spec.get("keywords")):
            return f"theme {tid!r} needs a label, a description or keywords"
    return None


@dataclass(frozen=True)
class FetchSettings:
    """How abreast talks to the sites it reads."""

    user_agent: str = _setting(
        USER_AGENT, "Identifies abreast to the sites it fetches from.", check=_not_blank
    )
    connect_timeout: float = _setting(10.0, "Seconds to wait for a connection.", above=0)
    read_timeout: float = _setting(20.0, "Seconds to wait for each read.", above=0)
    deadline: float = _setting(60.0, "Seconds allowed for a whole response.", above=0)
    max_bytes: int = _setting(
        15 * 1024 * 1024, "Largest response body accepted, in bytes, after decompression.", low=1
    )
    max_redirects: int = _setting(5, "Redirects followed for one request.", low=0, high=100)
    allow_private: list[str] = _setting(
        [],
        'Private/loopback addresses or networks that may be fetched, e.g. ["127.0.0.1", "::1"].',
        check=_ip_networks,
    )
    host_delay: float = _setting(
        1.0, "Minimum seconds between two requests to one host (arXiv always gets 3).", low=0
    )
    pause_after_errors: int = _setting(
        3,
        "Pause a source after this many failures in a row (`abreast sources retry` resumes).",
        low=1,
    )
    politeness: bool = _setting(
        True, "Wait host_delay between requests to one host; turn off only for local replays."
    )
    replay: str = _setting(
        "",
        "Fetch every URL from this recording server instead of the real site, as "
        "<replay>/<host>/<path> (the demo's replay on 127.0.0.1); empty: the real sites.",
        check=_http_base,
    )


@dataclass(frozen=True)
class TextSettings:
    """What the top stories' items get read for: article text, model cards, discussions."""

    enabled: bool = _setting(
        True,
        "Read the linked article (robots.txt honoured) or model card of the top stories' items "
        "that have no text or only a teaser; `abreast sources add ... --no-page-text` opts a "
        "source out.",
    )
    stories: int = _setting(25, "How many top stories per week get their articles read.", low=1)
    weeks: int = _setting(2, "How many of the most recent weeks with stories are read.", low=1)
    pages_per_run: int = _setting(
        80, "At most this many article pages per run; the rest wait for the next run.", low=0
    )
    workers: int = _setting(
        8, "Sites read at once (each site one request at a time, host_delay apart).", low=1
    )
    discussions: bool = _setting(
        True, "Fetch the Hacker News threads and Reddit comment trees of the top stories."
    )
    discussion_stories: int = _setting(
        15, "How many top stories per week get their discussions fetched.", low=1
    )
    max_comments: int = _setting(200, "Comments kept per discussion thread.", low=1)


@dataclass(frozen=True)
class UnderstandSettings:
    """What counts as interesting to you, and how items are read."""

    embedder: str = _setting(
        "wordllama", 'Embedding backend ("wordllama" ships in its wheel).', check=_not_blank
    )
    topics: list[str] = _setting(
        [], 'Extra topics you care about in plain words, e.g. ["small task-specific models"].'
    )
    negative_keywords: list[str] = _setting(
        [], "Words that mark an item as not interesting to you."
    )
    relevance_threshold: float = _setting(
        0.5, "Relevance from which an item counts as about AI (0..1).", low=0, high=1
    )
    source_trust: dict[str, float] = _setting(
        {},
        "Trust in a source's items being about AI (0..1) by source name, host, subreddit or kind, "
        'e.g. { "r-localllama" = 0.9 }.',
        low=0,
        high=1,
    )
    themes: dict[str, dict[str, Any]] = _setting(
        {},
        "Replace the default themes: [understand.themes.ID] tables with label, description, "
        "keywords.",
        check=_themes,
    )


@dataclass(frozen=True)
class StoriesSettings:
    """How items are grouped into stories (the tuned defaults are in QUALITY.md)."""

    threshold: float = _setting(
        0.70,
        "Similarity from which two items are one story (higher: smaller stories).",
        low=0,
        high=1,
    )
    title_weight: float = _setting(
        0.30, "How much shared rare title words add to the similarity.", low=0, high=1
    )
    model_boost: float = _setting(
        0.20, "How much naming the same model adds to the similarity.", low=0, high=1
    )


@dataclass(frozen=True)
class ExplainSettings:
    """Summaries: extractive always, abstractive when a model is set."""

    model: str = _setting(
        "", 'An `llm` model id for abstractive summaries (e.g. "gpt-4o-mini"); empty: none.'
    )


@dataclass(frozen=True)
class WriteSettings:
    """The weekly draft."""

    format: str = _setting("hugo", "Draft format: hugo, jekyll or plain.", choices=DRAFT_FORMATS)
    author: str = _setting("", "Author written into the draft's front matter.")
    todo_max_bytes: int = _setting(
        4 * 1024 * 1024,
        "Largest file `abreast todo` reads, in bytes (a draft is a few kB).",
        low=1,
    )


@dataclass(frozen=True)
class WebSettings:
    """`abreast serve`."""

    host: str = _setting(
        "127.0.0.1", "Address to bind; off loopback a token is required.", check=_not_blank
    )
    port: int = _setting(8421, "Port to listen on.", low=1, high=65535)


@dataclass(frozen=True)
class LearnSettings:
    """How much your feedback reorders what abreast shows you."""

    weight: float = _setting(
        10.0,
        "How much your taste counts against everyone's attention once you gave 10 signals "
        "(0: not at all; 1: as much; 10, the default chosen on bench/learn_quality.py's dev "
        "half: your taste leads).",
        low=0,
        high=100,
    )


@dataclass(frozen=True)
class WeekSettings:
    """The week as abreast shows it (`abreast week`, the draft)."""

    max_stories: int = _setting(
        25, "Stories `abreast week` lists by default (the reader's time is the limit).", low=1
    )
    reading_minutes: int = _setting(
        0,
        "Minutes you have for the week: `abreast week`, the digest page and the draft keep the "
        "top stories whose cards fit, read at 200 words per minute, and say how many more are "
        "below the budget (0: no budget).",
        low=0,
        high=600,
    )


SECTIONS: dict[str, type] = {
    "fetch": FetchSettings,
    "text": TextSettings,
    "understand": UnderstandSettings,
    "stories": StoriesSettings,
    "explain": ExplainSettings,
    "write": WriteSettings,
    "web": WebSettings,
    "learn": LearnSettings,
    "week": WeekSettings,
}


def home() -> Path:
    env = os.environ.get("ABREAST_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("abreast", appauthor=False))


@dataclass
class Paths:
    home: Path
    explicit_config: Path | None = None  # from --config / ABREAST_CONFIG: must exist

    @property
    def config(self) -> Path:
        return self.explicit_config or self.home / "abreast.toml"

    @property
    def db(self) -> Path:
        return self.home / "abreast.db"

    @property
    def drafts(self) -> Path:
        return self.home / "drafts"

    @property
    def charts(self) -> Path:
        return self.home / "charts"

    @property
    def exports(self) -> Path:
        return self.home / "exports"

    def ensure(self) -> Paths:
        try:
            for p in (self.home, self.drafts):
                p.mkdir(parents=True, exist_ok=True)
            probe = self.home / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as e:
            raise ConfigError(
                f"abreast home {self.home} is not writable ({e.strerror}). "
                "Set ABREAST_HOME to a folder you can write to."
            ) from e
        return self


@dataclass(frozen=True)
class Settings:
    paths: Paths
    fetch: FetchSettings = field(default_factory=FetchSettings)
    text: TextSettings = field(default_factory=TextSettings)
    understand: UnderstandSettings = field(default_factory=UnderstandSettings)
    stories: StoriesSettings = field(default_factory=StoriesSettings)
    explain: ExplainSettings = field(default_factory=ExplainSettings)
    write: WriteSettings = field(default_factory=WriteSettings)
    web: WebSettings = field(default_factory=WebSettings)
    learn: LearnSettings = field(default_factory=LearnSettings)
    week: WeekSettings = field(default_factory=WeekSettings)


# --- checking values -----------------------------------------------------------------------------


def _types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _did_you_mean(name: str, known: Iterable[str], shape: str = "{}") -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {shape.format(close[0])}?"
    return f"; known: {', '.join(shape.format(k) for k in known)}."


def _show(value: Any) -> str:
    """A value as the user wrote it (TOML), cut short: the message stays one readable line."""
    text = _toml(value) if value is not None else "nothing"
    text = text.replace("\n", "\\n")
    return text if len(text) <= 80 else text[:77] + "..."


_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


def _expected(tp: Any, meta: Mapping[str, Any]) -> str:
    if meta.get("choices"):
        return "one of " + ", ".join(_toml(c) for c in meta["choices"])
    origin = typing.get_origin(tp)
    if origin is list:
        return 'a list of strings, e.g. ["a", "b"]'
    number = "a number"
    if origin is dict:
        value_type = typing.get_args(tp)[1]
        if value_type is dict:
            return "a table of tables"
        what = "a table of names to numbers"
        number = "each number"
    else:
        what = _KINDS[tp]
    low, high, above = meta.get("low"), meta.get("high"), meta.get("above")
    if low is not None and high is not None:
        return f"{what}{', ' + number if origin is dict else ''} from {low:g} to {high:g}"
    if above is not None:
        return f"{what} greater than {above:g}"
    if low is not None:
        return f"{what} of at least {low:g}"
    return what


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _number_ok(v: Any, meta: Mapping[str, Any], whole: bool) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    if whole and not isinstance(v, int):
        return False
    if not math.isfinite(v):
        return False
    low, high, above = meta.get("low"), meta.get("high"), meta.get("above")
    return not (
        (low is not None and v < low)
        or (high is not None and v > high)
        or (above is not None and v <= above)
    )


def _convert(tp: Any, meta: Mapping[str, Any], v: Any) -> tuple[bool, Any]:
    """(ok, the value in its field's type)."""
    origin = typing.get_origin(tp)
    if tp is bool:
        return isinstance(v, bool), v
    if tp is int:
        return _number_ok(v, meta, whole=True), v
    if tp is float:
        ok = _number_ok(v, meta, whole=False)
        return ok, float(v) if ok else v
    if tp is str:
        ok = isinstance(v, str) and not _CONTROL.search(v)
        return ok and (not meta.get("choices") or v in meta["choices"]), v
    if origin is list:
        ok = isinstance(v, list) and all(isinstance(s, str) and not _CONTROL.search(s) for s in v)
        return ok, list(v) if ok else v
    if origin is dict:
        if not isinstance(v, dict) or not all(isinstance(k, str) for k in v):
            return False, v
        if typing.get_args(tp)[1] is float:
            ok = all(_number_ok(x, meta, whole=False) for x in v.values())
            return ok, {k: float(x) for k, x in v.items()} if ok else v
        return all(isinstance(x, dict) for x in v.values()), copy.deepcopy(v)
    raise TypeError(f"unsupported setting type {tp!r}")  # a new field type needs a case here


def _checked(section: str, f: Field[Any], tp: Any, value: Any, where: str) -> Any:
    ok, typed = _convert(tp, f.metadata, value)
    problem = None if ok else f"expected {_expected(tp, f.metadata)}"
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(t, str) and _CONTROL.search(t) for t in texts):
        problem = "control characters (newlines, tabs, ...) are not allowed"
    if ok and f.metadata.get("check"):
        problem = f.metadata["check"](typed)
    if problem:
        raise ConfigError(
            f"{where}: [{section}] {f.name} = {_show(value)} is not allowed: {problem}."
        )
    return typed


def _section(name: str, where: str, known: Mapping[str, type]) -> type:
    if name not in known:
        raise ConfigError(f"{where}: unknown section [{name}]{_did_you_mean(name, known, '[{}]')}")
    return known[name]


def _apply(base: Any, section: str, values: Any, where: str) -> Any:
    """``base`` (a section dataclass) with ``values`` (a mapping of key -> value) checked and
    applied."""
    cls = type(base)
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where}: [{section}] must be a table of settings, not {_show(values)}.")
    by_name = {f.name: f for f in fields(cls)}
    types = _types(cls)
    changes = {}
    for key, value in values.items():
        if key not in by_name:
            raise ConfigError(
                f"{where}: unknown key [{section}] {key}{_did_you_mean(key, by_name)}"
            )
        changes[key] = _checked(section, by_name[key], types[key], value, where)
    return replace(base, **changes)


def section_from(name: str, values: Mapping[str, Any] | None, where: str = "settings") -> Any:
    """One section's dataclass from a plain mapping, checked like abreast.toml: what library callers
    (tests, benches) that configure one stage by hand pass, e.g. ``Fetcher({"politeness":
    False})``."""
    cls = _section(name, where, SECTIONS)
    return _apply(cls(), name, values or {}, where)


def fetch_settings(value: FetchSettings | Mapping[str, Any] | None) -> FetchSettings:
    """The [fetch] settings as given, or from a mapping of some of its keys (checked)."""
    return value if isinstance(value, FetchSettings) else section_from("fetch", value)


def understand_settings(
    value: Settings | UnderstandSettings | Mapping[str, Any] | None,
) -> UnderstandSettings:
    """The [understand] settings of ``value``: whole settings, the section itself, a mapping of some
    of its keys (checked), or None for the defaults."""
    if isinstance(value, Settings):
        return value.understand
    if isinstance(value, UnderstandSettings):
        return value
    checked: UnderstandSettings = section_from("understand", value)
    return checked


def _parse_env(tp: Any, raw: str) -> Any:
    """An environment string in its field's type; unparseable strings stay strings (then
    rejected)."""
    origin = typing.get_origin(tp)
    text = raw.strip()
    try:
        if tp is bool:
            lowered = text.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            return raw
        if tp is int:
            return int(text)
        if tp is float:
            return float(text)
        if origin is list:
            return [p.strip() for p in raw.split(",") if p.strip()]
        if origin is dict:
            return json.loads(raw)  # e.g. ABREAST_UNDERSTAND_SOURCE_TRUST='{"hn": 0.3}'
    except ValueError:
        return raw
    return raw


def _from_environment(sections: dict[str, Any], environ: Mapping[str, str]) -> None:
    for var, raw in environ.items():
        if not var.startswith("ABREAST_") or var in NOT_SETTINGS:
            continue
        rest = var[len("ABREAST_") :].lower()
        section = next((s for s in sections if rest.startswith(s + "_")), None)
        if section is None:
            continue  # ABREAST_HOME, ABREAST_CONFIG, test switches: not settings
        key = rest[len(section) + 1 :]
        names = [f.name for f in fields(sections[section])]
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
            hint = f"; did you mean ABREAST_{section.upper()}_{close[0].upper()}?" if close else ""
            raise ConfigError(f"environment variable {var} is not a setting{hint}")
        tp = _types(type(sections[section]))[key]
        sections[section] = _apply(
            sections[section], section, {key: _parse_env(tp, raw)}, f"environment variable {var}"
        )


def _read_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(
            f"{path} is not valid TOML ({e}). Fix it or delete it and run `abreast init`."
        ) from e
    except OSError as e:
        raise ConfigError(f"cannot read {path} ({e.strerror}).") from e


def load(
    home_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    config_file: Path | str | None = None,
) -> Settings:
    """Read and check settings; a missing config file means defaults (``abreast init`` writes one).

    ``config_file``: this abreast.toml instead of the home's (``--config``; ``ABREAST_CONFIG`` when
    not given), which must exist. ``overrides``: {section: {key: value}} from a command, applied
    last."""
    environ = os.environ if environ is None else environ
    explicit = config_file or environ.get("ABREAST_CONFIG")
    paths = Paths(home_dir or home(), Path(explicit).expanduser() if explicit else None)
    if paths.explicit_config and not paths.explicit_config.is_file():
        raise ConfigError(
            f"config file {paths.explicit_config} does not exist. Create it with `abreast init` "
            "(after unsetting ABREAST_CONFIG / --config) or point --config at an existing file."
        )
    sections: dict[str, Any] = {name: cls() for name, cls in SECTIONS.items()}
    if paths.config.exists():
        for name, values in _read_file(paths.config).items():
            _section(name, str(paths.config), SECTIONS)
            sections[name] = _apply(sections[name], name, values, str(paths.config))
    _from_environment(sections, environ)
    for name, values in (overrides or {}).items():
        _section(name, "override", SECTIONS)
        sections[name] = _apply(sections[name], name, values, "override")
    return Settings(paths=paths, **sections)


# --- the commented default abreast.toml --------------------------------------------------------


def _toml(value: Any) -> str:
    """A TOML literal (inline form) for the values settings can hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return json.dumps(str(value))


def default_toml() -> str:
    """abreast.toml with every setting commented out at its default, one line of help above each."""
    lines = [
        "# abreast configuration. Uncomment a line to change it. Every setting can also be set",
        "# with an environment variable ABREAST_<SECTION>_<KEY>,",
        "# e.g. ABREAST_FETCH_ALLOW_PRIVATE=127.0.0.1,::1",
    ]
    for name, cls in SECTIONS.items():
        lines += ["", f"[{name}]", f"# -- {(cls.__doc__ or '').strip()}"]
        defaults = cls()
        for f in fields(cls):
            lines += [f"# {f.metadata['doc']}", f"# {f.name} = {_toml(getattr(defaults, f.name))}"]
    return "\n".join(lines) + "\n"


DEFAULT_TOML = default_toml()


def write_default(paths: Paths, force: bool = False) -> bool:
    if paths.config.exists() and not force:
        return False
    paths.ensure()
    tmp = paths.config.with_suffix(".toml.tmp")
    tmp.write_text(DEFAULT_TOML, encoding="utf-8")
    tmp.replace(paths.config)
    return True
