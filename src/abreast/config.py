"""Settings and paths. This module is the ONE owner of every path abreast reads or writes.

Precedence: built-in defaults < ``$ABREAST_HOME/abreast.toml`` < ``ABREAST_<SECTION>_<KEY>`` environment
variables. Tests point ``ABREAST_HOME`` at a temp dir, so no test touches a real home.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

DEFAULTS: dict = {
    "fetch": {
        "user_agent": "abreast/0.1 (+https://github.com/abreast-dev/abreast; local-first AI news reader)",
        "connect_timeout": 10.0,
        "read_timeout": 20.0,
        "deadline": 60.0,
        "max_bytes": 15 * 1024 * 1024,
        "max_redirects": 5,
        "allow_private": [],
        "host_delay": 1.0,
        "pause_after_errors": 3,
        "politeness": True,
    },
    "understand": {
        "embedder": "wordllama",
        "topics": [],
        "negative_keywords": [],
        "relevance_threshold": 0.5,
        "source_trust": {},
        "themes": {},
    },
    "stories": {"threshold": 0.70, "title_weight": 0.30, "model_boost": 0.20},
    "explain": {"model": ""},
    "write": {"format": "hugo", "author": "", "todo_max_bytes": 4 * 1024 * 1024},
    "web": {"host": "127.0.0.1", "port": 8421},
}

DEFAULT_TOML = """\
# abreast configuration. Every setting can also be set with an environment variable:
# ABREAST_<SECTION>_<KEY>, e.g. ABREAST_FETCH_ALLOW_PRIVATE=127.0.0.1,::1

[fetch]
# Identify ourselves to the sites we fetch from.
# user_agent = "abreast/0.1 (+https://github.com/abreast-dev/abreast)"
# Seconds to wait for a connection, for each read, and for a whole response.
# connect_timeout = 10.0
# read_timeout = 20.0
# deadline = 60.0
# Largest response body accepted, after decompression.
# max_bytes = 15728640
# max_redirects = 5
# Private/loopback addresses are refused unless listed here (the demo uses 127.0.0.1).
# allow_private = []
# Minimum seconds between two requests to one host (arXiv always gets 3).
# host_delay = 1.0
# Pause a source after this many consecutive failures; `abreast sources retry NAME` resumes it.
# pause_after_errors = 3

[understand]
# Embedding backend: "wordllama" (fast, ships in its wheel).
# embedder = "wordllama"
# Extra topics you care about, in plain words; they raise relevance.
# topics = ["small task-specific models", "LLM deployment in production"]
# Words that mark an item as not interesting to you.
# negative_keywords = []
# relevance_threshold = 0.5
# How much to trust a source's items to be about AI, 0..1, by source name, feed host, subreddit or kind.
# source_trust = { "r-localllama" = 0.9, "news.ycombinator.com" = 0.3 }
# Replace the default themes: id -> { label, description, keywords }.
# [understand.themes.evals]
# label = "Evaluations & benchmarks"
# description = "how models are measured"
# keywords = ["benchmark", "leaderboard", "eval"]

[stories]
# Similarity above which two items are the same story (0..1; higher = smaller, stricter stories).
# threshold = 0.70
# title_weight = 0.30
# model_boost = 0.20

[explain]
# An `llm` model id for abstractive summaries (e.g. "gpt-4o-mini", "ollama:llama3.2").
# Empty means extractive summaries only: no LLM needed.
# model = ""

[write]
# Draft format: hugo, jekyll or plain.
# format = "hugo"
# author = ""
# Largest file `abreast todo` reads, in bytes (a draft is a few kB; this stops a wrong path early).
# todo_max_bytes = 4194304

[web]
# host = "127.0.0.1"
# port = 8421
"""


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
    def cache(self) -> Path:
        return self.home / "cache"

    @property
    def exports(self) -> Path:
        return self.home / "exports"

    def ensure(self) -> Paths:
        try:
            for p in (self.home, self.drafts, self.cache):
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


@dataclass
class Settings:
    paths: Paths
    data: dict = field(default_factory=dict)

    def get(self, section: str, key: str):
        return self.data[section][key]

    def section(self, name: str) -> dict:
        return self.data[name]


def _coerce(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, list):
        return [p.strip() for p in raw.split(",") if p.strip()]
    if isinstance(default, dict):
        import json

        return json.loads(raw)  # e.g. ABREAST_UNDERSTAND_SOURCE_TRUST='{"hn": 0.3}'
    return raw


def load(home_dir: Path | None = None, environ: dict | None = None) -> Settings:
    """Read settings; a missing config file means defaults (``abreast init`` writes one)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("ABREAST_CONFIG")
    paths = Paths(home_dir or home(), Path(explicit).expanduser() if explicit else None)
    data = copy.deepcopy(DEFAULTS)
    if paths.explicit_config and not paths.explicit_config.is_file():
        raise ConfigError(
            f"config file {paths.explicit_config} does not exist. Create it with `abreast init` "
            "(after unsetting ABREAST_CONFIG / --config) or point --config at an existing file."
        )
    if paths.config.exists():
        try:
            user = tomllib.loads(paths.config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(
                f"{paths.config} is not valid TOML ({e}). Fix it or delete it and run `abreast init`."
            ) from e
        for section, values in user.items():
            if section not in data or not isinstance(values, dict):
                raise ConfigError(
                    f"{paths.config}: unknown section [{section}]. Known: {', '.join(data)}."
                )
            data[section].update(values)
    for section, values in data.items():
        for key, default in values.items():
            env_key = f"ABREAST_{section.upper()}_{key.upper()}"
            if env_key in environ:
                try:
                    values[key] = _coerce(environ[env_key], default)
                except ValueError as e:
                    raise ConfigError(
                        f"{env_key}={environ[env_key]!r} is not a valid {type(default).__name__}."
                    ) from e
    return Settings(paths=paths, data=data)


def write_default(paths: Paths, force: bool = False) -> bool:
    if paths.config.exists() and not force:
        return False
    paths.ensure()
    tmp = paths.config.with_suffix(".toml.tmp")
    tmp.write_text(DEFAULT_TOML, encoding="utf-8")
    tmp.replace(paths.config)
    return True
