"""Named migrations. Each runs in one transaction together with its record in `migrations`,
so a failing migration leaves the database exactly as it was (sqlite-utils' habit).

Never edit a migration that has shipped; add a new one. Columns are documented here and in
docs/schema.md, which a test regenerates and compares.
"""

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_core",
        """
        -- A place abreast collects from. kind is a connector name (hn, arxiv, feed, reddit, hf).
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            -- short handle the user types: `abreast fetch --source NAME`
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            -- feed URL, API base URL, or query (connector-specific)
            url TEXT NOT NULL,
            config_json TEXT NOT NULL DEFAULT '{}',
            etag TEXT,                          -- conditional GET validators from the last 200
            last_modified TEXT,
            next_fetch_at TEXT,                 -- ISO UTC; earliest time a scheduled fetch may run
            error_count INTEGER NOT NULL DEFAULT 0,  -- consecutive failures
            last_error TEXT,
            -- 1 = not fetched until `abreast sources retry NAME`
            paused INTEGER NOT NULL DEFAULT 0,
            paused_reason TEXT,
            gone INTEGER NOT NULL DEFAULT 0,    -- 1 = server said 410 Gone; polling stopped
            last_fetch_at TEXT,
            created_at TEXT NOT NULL
        );
        -- One attempt to fetch one source.
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,               -- running | ok | not_modified | error | interrupted
            http_status INTEGER,
            bytes INTEGER,
            items_new INTEGER NOT NULL DEFAULT 0,
            items_updated INTEGER NOT NULL DEFAULT 0,
            items_unchanged INTEGER NOT NULL DEFAULT 0,
            error TEXT
        );
       -- Everything collected. key is stable and human-readable
        -- (hn:<id>, arxiv:<id>, feed:<link>, ...).

        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
            kind TEXT NOT NULL,                 -- connector that produced it
            url TEXT,
            -- url with tracking params, www, arXiv versions removed
            canonical_url TEXT,
            title TEXT NOT NULL,
            -- sanitized plain text/HTML body, abstract or excerpt
            text TEXT NOT NULL DEFAULT '',
            author TEXT,
            published_at TEXT,                  -- ISO 8601 UTC
            week TEXT,                          -- ISO week of published_at, e.g. 2024-W51
            fetched_at TEXT NOT NULL,
            updated_at TEXT,
            update_count INTEGER NOT NULL DEFAULT 0,  -- content changes seen; capped against churn
            -- signals: points, comments, score, likes, downloads
            score_json TEXT NOT NULL DEFAULT '{}',
            extra_json TEXT NOT NULL DEFAULT '{}',    -- source-specific recorded facts
            content_hash TEXT NOT NULL
        );
        CREATE INDEX items_week ON items(week);
        CREATE INDEX items_published ON items(published_at);
        CREATE INDEX items_canonical ON items(canonical_url);
        -- Keys the user deleted: never ingested again.
        CREATE TABLE tombstones (key TEXT PRIMARY KEY, deleted_at TEXT NOT NULL);
        -- Full-text search over title + text (external content, kept in sync by triggers).
        CREATE VIRTUAL TABLE item_fts USING fts5(title, text, content='items', content_rowid='id');
        CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
            INSERT INTO item_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
            INSERT INTO item_fts(item_fts, rowid, title, text) VALUES ('delete', old.id, old.title,
old.text);
        END;
        CREATE TRIGGER items_au AFTER UPDATE OF title, text ON items BEGIN
            INSERT INTO item_fts(item_fts, rowid, title, text) VALUES ('delete', old.id, old.title,
old.text);
            INSERT INTO item_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        """,
    ),
    (
        "0002_understand",
        """
       -- One vector per item and embedding model;
        -- content_hash says which text it was computed from.

        CREATE TABLE embeddings (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,               -- little-endian float32 x dim
            content_hash TEXT NOT NULL,
            PRIMARY KEY (item_id, model)
        );
        -- What abreast understood about an item.
        CREATE TABLE annotations (
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            relevance REAL NOT NULL,            -- AI relevance in [0, 1]
            is_ai INTEGER NOT NULL,
            themes_json TEXT NOT NULL DEFAULT '[]',
            -- stable entity ids, e.g. "model:llama-3.3-70b"
            entities_json TEXT NOT NULL DEFAULT '[]',
            jargon_json TEXT NOT NULL DEFAULT '[]',    -- glossary term ids
            duplicate_of INTEGER REFERENCES items(id) ON DELETE SET NULL,
            -- the signals behind relevance, for `abreast why`
            why_json TEXT NOT NULL DEFAULT '{}',
            content_hash TEXT NOT NULL,
            annotated_at TEXT NOT NULL
        );
        CREATE INDEX annotations_dup ON annotations(duplicate_of);
        """,
    ),
    (
        "0003_stories",
        """
        -- A story: the items of one week about the same thing, across sources.
        CREATE TABLE stories (
            -- stable across reruns of a week, e.g. 2024-W51-3f9a2c
            id TEXT PRIMARY KEY,
            week TEXT NOT NULL,
            title TEXT NOT NULL,
            keywords_json TEXT NOT NULL DEFAULT '[]',
            entities_json TEXT NOT NULL DEFAULT '[]',
            themes_json TEXT NOT NULL DEFAULT '[]',
            score REAL NOT NULL DEFAULT 0,
            -- parts of the score, for `abreast why story:ID`
            score_json TEXT NOT NULL DEFAULT '{}',
            rank INTEGER,
            is_new INTEGER NOT NULL DEFAULT 1,
            related_json TEXT NOT NULL DEFAULT '[]',  -- ids of related stories of earlier weeks
            summary_json TEXT,                  -- cited summary: sentences with (source key, quote)
            updated_at TEXT NOT NULL
        );
        CREATE INDEX stories_week ON stories(week, rank);
        CREATE TABLE story_items (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            role TEXT NOT NULL DEFAULT 'member',  -- lead | member | duplicate
            PRIMARY KEY (story_id, item_id)
        );
        CREATE INDEX story_items_item ON story_items(item_id);
        -- Weekly counts behind trend detection.
        CREATE TABLE trends (
            week TEXT NOT NULL,
            term TEXT NOT NULL,                 -- entity id or jargon term
            count INTEGER NOT NULL,
            burst REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (week, term)
        );
        """,
    ),
    (
        "0004_landscape",
        """
        -- The open-model registry.
        CREATE TABLE models (
            id TEXT PRIMARY KEY,                -- stable slug, e.g. qwen/qwq-32b-preview
            name TEXT NOT NULL,
            org TEXT,
            family TEXT,
            released TEXT,
            params_b REAL,                      -- parameters, billions
            context_length INTEGER,
            license TEXT,
            first_item_key TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE model_bases (
            model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            base_id TEXT NOT NULL,
            relation TEXT NOT NULL,             -- finetune | adapter | merge | quantized | unknown
            source TEXT NOT NULL,               -- where the fact came from
            PRIMARY KEY (model_id, base_id)
        );
        -- Every fact with its origin, so `abreast model ID` can say where each came from.
        CREATE TABLE model_facts (
            model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            value TEXT,
            source TEXT NOT NULL,
            as_of TEXT,
            PRIMARY KEY (model_id, field, source)
        );
        CREATE TABLE model_scores (
            model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            board TEXT NOT NULL,
            snapshot TEXT NOT NULL,             -- date of the leaderboard snapshot
            score REAL,
            rank INTEGER,
            PRIMARY KEY (model_id, board, snapshot)
        );
        """,
    ),
    (
        "0005_feedback_llm_drafts",
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            item_key TEXT,
            story_id TEXT,
            signal TEXT NOT NULL,               -- more | less | save | hide
            at TEXT NOT NULL,
            CHECK (item_key IS NOT NULL OR story_id IS NOT NULL)
        );
        -- Audit log of every model call (never the key, never the prompt text itself).
        CREATE TABLE llm_calls (
            id INTEGER PRIMARY KEY,
            backend TEXT NOT NULL,
            model TEXT NOT NULL,
            purpose TEXT NOT NULL,
            prompt_hash TEXT NOT NULL,
            input_keys_json TEXT NOT NULL DEFAULT '[]',
            tokens_in INTEGER,
            tokens_out INTEGER,
            ms INTEGER,
            at TEXT NOT NULL
        );
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            week TEXT NOT NULL,
            path TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0006_landscape_indexes",
        """
        CREATE INDEX model_bases_base ON model_bases(base_id);
        CREATE INDEX model_facts_field ON model_facts(field);
        """,
    ),
    (
        "0007_text_discussions",
        """
        -- Where an item's text came from: feed (the entry's own content), abstract (arXiv),
        -- selftext
        -- (a Reddit/HN text post), card (a Hugging Face model's card), page (the linked article,
        -- fetched for items of ranked stories). NULL while the item has no text.
        ALTER TABLE items ADD COLUMN text_source TEXT;
        -- Why an item has no article text when one was tried: robots.txt, paywall, PDF, script-
        -- only...
        ALTER TABLE items ADD COLUMN text_note TEXT;
        UPDATE items SET text_source = CASE kind WHEN 'arxiv' THEN 'abstract' WHEN 'reddit' THEN
        'selftext' WHEN 'hn' THEN 'selftext' WHEN 'hf' THEN 'card' ELSE 'feed' END WHERE text != '';
        -- Comments of an item's Hacker News thread or Reddit comment tree, as fetched for top
        -- stories.
        CREATE TABLE discussion_comments (
            id TEXT PRIMARY KEY,                -- hn:<comment id> | reddit:<comment id>
            item_key TEXT NOT NULL REFERENCES items(key) ON DELETE CASCADE,
            author TEXT,
            score INTEGER,                      -- Reddit score; HN does not publish comment scores
            text TEXT NOT NULL,                 -- sanitized plain text
            url TEXT NOT NULL,                  -- permalink to the comment
            posted_at TEXT,                     -- ISO 8601 UTC
            parent_id TEXT,                     -- id of the comment it answers; NULL under the post
            depth INTEGER NOT NULL              -- 0 = top-level comment
        );
        CREATE INDEX discussion_comments_item ON discussion_comments(item_key);
        -- One row per item whose discussion was fetched, so a thread is read once per change in
        -- size.
        CREATE TABLE discussion_fetches (
            item_key TEXT PRIMARY KEY REFERENCES items(key) ON DELETE CASCADE,
            fetched_at TEXT NOT NULL,
            status TEXT NOT NULL,               -- ok | error
            comments INTEGER NOT NULL DEFAULT 0,  -- comments stored
            seen_count INTEGER,                 -- the item's comment count when fetched
            error TEXT
        );
        """,
    ),
    (
        "0008_draft_manifest",
        """
        -- The files abreast wrote for a draft (names relative to the Markdown file's folder): the
        -- web app serves these and nothing else, so `draft --out DIR` does not publish all of DIR.
        ALTER TABLE drafts ADD COLUMN files_json TEXT NOT NULL DEFAULT '[]';
        """,
    ),
    (
        "0009_hf_text_is_metadata",
        """
        -- A Hub model text is the description abreast writes of the Hub facts, not the words of
        -- its model card (which the reading stage may fetch, as text_source card).
        UPDATE items SET text_source = 'metadata' WHERE kind = 'hf' AND text_source = 'card';
        """,
    ),
    (
        "0010_learn",
        """
        -- Hard filters the reader set: a source, a site or a term they never want to see.
        CREATE TABLE mutes (
            kind TEXT NOT NULL,                 -- source | domain | term
            value TEXT NOT NULL,                -- source name, host (example.com) or term id
            at TEXT NOT NULL,
            PRIMARY KEY (kind, value)
        );
        -- The reader's interest model, refitted from the feedback table on every signal.
        CREATE TABLE interest_model (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            model_json TEXT NOT NULL,           -- named feature weights and embedding direction
            embedder TEXT,                      -- embedding model the direction lives in
            signals INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0011_known_terms",
        """
        -- Glossary terms the user already knows (`abreast explain TERM --known`): words of the week
        -- leave them out. One row per term; removing the row forgets it.
        CREATE TABLE known_terms (
            term_id TEXT PRIMARY KEY,           -- glossary id, e.g. "llm"
            marked_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0012_stage_inputs",
        """
        -- What each pipeline stage last built a week from (a fingerprint of its inputs): `process`
        -- rebuilds a week only when this changed, so a run with nothing new costs almost nothing.
        CREATE TABLE stage_inputs (
            stage TEXT NOT NULL,                -- stories | summaries | trends | registry
            week TEXT NOT NULL,                 -- ISO week, or '*' for a whole-store stage
            fingerprint TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (stage, week)
        );
        """,
    ),
    (
        "0013_read_indexes",
        """
        -- Reads that must not scan every item as history grows (issue 20): per-source counts on
        -- the items and sources pages, the model registry's Hugging Face items, one term's trend
        -- chart.
        CREATE INDEX items_source ON items(source_id);
        CREATE INDEX items_kind ON items(kind);
        CREATE INDEX trends_term ON trends(term, week);
        """,
    ),
    (
        "0014_interest_rows",
        """
        -- What the interest model is fitted from, one row per signalled item (or configured
        -- topic), so one more signal adds one row instead of re-reading every signal (issue 16:
        -- < 50 ms). A row holds its inner products with every row before it: the Gram matrices,
        -- built one row at a time. An undone signal switches its row off (label NULL).
        CREATE TABLE interest_rows (
            pos INTEGER PRIMARY KEY,            -- 0, 1, 2, ...: the row's place in the matrices
            key TEXT NOT NULL UNIQUE,           -- item key, or topic:N
            label REAL,                         -- +1 more/save, -1 less/hide, 0.5 topic; NULL off
            named_json TEXT NOT NULL,           -- normalised named features
            vector BLOB NOT NULL,               -- embedding, little-endian float32 x dim
            gram BLOB NOT NULL                  -- float32 x 2 x (pos + 1): named, vector dots
        );
        -- The embedder, its size and the topics the rows were built with (a change rebuilds).
        ALTER TABLE interest_model ADD COLUMN rows_json TEXT;
        """,
    ),
    (
        "0015_compact_storage",
        """
        -- Compact storage (issue 20; store/compact.py says how): a vector as 8-bit integers with
        -- one scale, an explanation deflated against a dictionary of the words every explanation
        -- repeats. 3.1 of the 5.8 KB an item cost at 100k items were these two. Both tables are
        -- rewritten (every value converted, nothing dropped) by SQL functions that
        -- store/compact.py registers; `abreast db vacuum` then gives the freed pages back.
        CREATE TABLE embeddings_v2 (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            dim INTEGER NOT NULL,
            -- little-endian float32 scale s, then dim signed bytes q: the vector is q x s (older
            -- rows of float32 x dim are read too)
            vector BLOB NOT NULL,
            content_hash TEXT NOT NULL,
            PRIMARY KEY (item_id, model)
        ) WITHOUT ROWID;
        INSERT INTO embeddings_v2(item_id, model, dim, vector, content_hash)
            SELECT item_id, model, dim, abreast_vector_i8(vector, dim), content_hash
            FROM embeddings;
        DROP TABLE embeddings;
        ALTER TABLE embeddings_v2 RENAME TO embeddings;
        -- What abreast understood about an item (as in 0002, with the explanation compacted).
        CREATE TABLE annotations_v2 (
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            relevance REAL NOT NULL,            -- AI relevance in [0, 1]
            is_ai INTEGER NOT NULL,
            themes_json TEXT NOT NULL DEFAULT '[]',
            -- stable entity ids, e.g. "model:llama-3.3-70b"
            entities_json TEXT NOT NULL DEFAULT '[]',
            jargon_json TEXT NOT NULL DEFAULT '[]',    -- glossary term ids
            duplicate_of INTEGER REFERENCES items(id) ON DELETE SET NULL,
            -- the signals behind relevance and themes, for `abreast why`: byte 1, then the JSON
            -- deflated with store/compact.py's dictionary (JSON text is read too)
            why BLOB,
            content_hash TEXT NOT NULL,
            annotated_at TEXT NOT NULL
        );
        INSERT INTO annotations_v2(item_id, relevance, is_ai, themes_json, entities_json,
            jargon_json, duplicate_of, why, content_hash, annotated_at)
            SELECT item_id, relevance, is_ai, themes_json, entities_json, jargon_json,
            duplicate_of, abreast_why_v1(why_json), content_hash, annotated_at FROM annotations;
        DROP TABLE annotations;
        ALTER TABLE annotations_v2 RENAME TO annotations;
        CREATE INDEX annotations_dup ON annotations(duplicate_of);
        """,
    ),
    (
        "0016_page_text",
        """
        -- The linked article's text, read for an item whose source gave only a teaser (a one-line
        -- feed summary): kept beside the source's own words, never in place of them (issue 12).
        ALTER TABLE items ADD COLUMN page_text TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0017_process_state",
        """
        -- What `process` must look at, kept as the data changes (issue 20): a run with nothing
        -- new reads a few small tables instead of scanning every item, and a run after a new
        -- week touches that week.
        -- Items whose content has no annotation yet (new, or changed since): the understand queue.
        CREATE TABLE understand_queue (item_id INTEGER PRIMARY KEY);
        -- Per ISO week: items, AI items, AI items counted as trend volume (not duplicates, not
        -- model repos), and a version bumped by every change to the items or annotations
        -- (what its stories are built from).
        CREATE TABLE week_stats (
            week TEXT PRIMARY KEY,
            items INTEGER NOT NULL DEFAULT 0,
            ai_items INTEGER NOT NULL DEFAULT 0,
            volume INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 0
        );
        -- Items per source, for the items and sources pages.
        CREATE TABLE source_stats (
            source_id INTEGER PRIMARY KEY,
            items INTEGER NOT NULL DEFAULT 0
        );
        -- The persistent index of duplicate detection: 32-bit hashes of the canonical URLs,
        -- normalized title and MinHash bands. A new item is compared with the items sharing one,
        -- not with the whole store. Rows of deleted or changed items may linger: every candidate
        -- is checked exactly, so a stale row costs a lookup, never a wrong duplicate.
        CREATE TABLE dedupe_keys (
            h INTEGER NOT NULL,
            item_id INTEGER NOT NULL,
            PRIMARY KEY (h, item_id)
        ) WITHOUT ROWID;

        -- The annotations that name a model: what the model registry reads (not every item).
        CREATE INDEX annotations_models ON annotations(item_id)
            WHERE entities_json LIKE '%"model:%';

        INSERT INTO understand_queue(item_id)
            SELECT i.id FROM items i LEFT JOIN annotations a ON a.item_id = i.id
            WHERE a.content_hash IS NOT i.content_hash;
        INSERT INTO week_stats(week, items, ai_items, volume, version)
            SELECT i.week, count(*), coalesce(sum(a.is_ai), 0),
                coalesce(sum(a.is_ai = 1 AND a.duplicate_of IS NULL AND i.kind != 'hf'), 0), 1
            FROM items i LEFT JOIN annotations a ON a.item_id = i.id
            WHERE i.week IS NOT NULL GROUP BY i.week;
        INSERT INTO source_stats(source_id, items)
            SELECT source_id, count(*) FROM items WHERE source_id IS NOT NULL GROUP BY source_id;

        CREATE TRIGGER items_state_ai AFTER INSERT ON items BEGIN
            INSERT OR IGNORE INTO understand_queue(item_id) VALUES (new.id);
            INSERT OR IGNORE INTO week_stats(week) SELECT new.week WHERE new.week IS NOT NULL;
            UPDATE week_stats SET items = items + 1, version = version + 1 WHERE week = new.week;
            INSERT OR IGNORE INTO source_stats(source_id)
                SELECT new.source_id WHERE new.source_id IS NOT NULL;
            UPDATE source_stats SET items = items + 1 WHERE source_id = new.source_id;
        END;
        -- Before the delete: the annotation is still there (the cascade removes it after).
        CREATE TRIGGER items_state_bd BEFORE DELETE ON items BEGIN
            DELETE FROM understand_queue WHERE item_id = old.id;
            UPDATE week_stats SET items = items - 1,
                ai_items = ai_items - coalesce((SELECT is_ai FROM annotations
                    WHERE item_id = old.id), 0),
                volume = volume - coalesce((SELECT is_ai = 1 AND duplicate_of IS NULL
                    AND old.kind != 'hf' FROM annotations WHERE item_id = old.id), 0),
                version = version + 1
                WHERE week = old.week;
            UPDATE source_stats SET items = items - 1 WHERE source_id = old.source_id;
        END;
        CREATE TRIGGER items_state_au
            AFTER UPDATE OF week, kind, content_hash, score_json, source_id ON items BEGIN
            INSERT OR IGNORE INTO understand_queue(item_id)
                SELECT new.id WHERE new.content_hash IS NOT old.content_hash;
            UPDATE week_stats SET items = items - 1,
                ai_items = ai_items - coalesce((SELECT is_ai FROM annotations
                    WHERE item_id = old.id), 0),
                volume = volume - coalesce((SELECT is_ai = 1 AND duplicate_of IS NULL
                    AND old.kind != 'hf' FROM annotations WHERE item_id = old.id), 0),
                version = version + 1
                WHERE week = old.week;
            INSERT OR IGNORE INTO week_stats(week) SELECT new.week WHERE new.week IS NOT NULL;
            UPDATE week_stats SET items = items + 1,
                ai_items = ai_items + coalesce((SELECT is_ai FROM annotations
                    WHERE item_id = new.id), 0),
                volume = volume + coalesce((SELECT is_ai = 1 AND duplicate_of IS NULL
                    AND new.kind != 'hf' FROM annotations WHERE item_id = new.id), 0),
                version = version + 1
                WHERE week = new.week;
            UPDATE source_stats SET items = items - 1 WHERE source_id = old.source_id;
            INSERT OR IGNORE INTO source_stats(source_id)
                SELECT new.source_id WHERE new.source_id IS NOT NULL;
            UPDATE source_stats SET items = items + 1 WHERE source_id = new.source_id;
        END;
        CREATE TRIGGER annotations_state_ai AFTER INSERT ON annotations BEGIN
            DELETE FROM understand_queue WHERE item_id = new.item_id
                AND new.content_hash = (SELECT content_hash FROM items WHERE id = new.item_id);
            UPDATE week_stats SET ai_items = ai_items + new.is_ai,
                volume = volume + (new.is_ai = 1 AND new.duplicate_of IS NULL
                    AND (SELECT kind FROM items WHERE id = new.item_id) != 'hf'),
                version = version + 1
                WHERE week = (SELECT week FROM items WHERE id = new.item_id);
        END;
        CREATE TRIGGER annotations_state_au AFTER UPDATE ON annotations BEGIN
            DELETE FROM understand_queue WHERE item_id = new.item_id
                AND new.content_hash = (SELECT content_hash FROM items WHERE id = new.item_id);
            UPDATE week_stats SET ai_items = ai_items - old.is_ai + new.is_ai,
                volume = volume + ((SELECT kind FROM items WHERE id = new.item_id) != 'hf')
                    * ((new.is_ai = 1 AND new.duplicate_of IS NULL)
                        - (old.is_ai = 1 AND old.duplicate_of IS NULL)),
                version = version + 1
                WHERE week = (SELECT week FROM items WHERE id = new.item_id);
        END;
        -- The delete of an item has already counted its annotation out (items_state_bd): the
        -- subquery finds no item then, and this changes nothing.
        CREATE TRIGGER annotations_state_ad AFTER DELETE ON annotations BEGIN
            UPDATE week_stats SET ai_items = ai_items - old.is_ai,
                volume = volume - (old.is_ai = 1 AND old.duplicate_of IS NULL
                    AND (SELECT kind FROM items WHERE id = old.item_id) != 'hf'),
                version = version + 1
                WHERE week = (SELECT week FROM items WHERE id = old.item_id);
            INSERT OR IGNORE INTO understand_queue(item_id)
                SELECT old.item_id WHERE EXISTS (SELECT 1 FROM items WHERE id = old.item_id);
        END;
        """,
    ),
    (
        "0018_compact_stories_unused_index",
        """
        -- A story's score parts and cited summary stored as 0015 stores an explanation: JSON
        -- deflated against a dictionary of the words each repeats (byte 2: score_json, byte 3:
        -- summary_json; store/compact.py). 0.9 of the 1.2 KB a story cost; JSON text in these
        -- columns (a store written before this, a row inserted by hand) is read too.
        UPDATE stories SET score_json = abreast_score_v1(score_json),
            summary_json = abreast_summary_v1(summary_json);
        -- No query looks items up by canonical_url (dedupe and stories compare it in memory):
        -- its index cost 55 bytes per item for nothing.
        DROP INDEX IF EXISTS items_canonical;
        """,
    ),
    (
        "0019_compact_hashes_and_indexes",
        """
        -- Fewer bytes per item (issue 20), every value kept:
        -- A content hash (32 hex digits) as its 16 bytes in items, annotations and embeddings
        -- (store/compact.py encode_hash; the store hands readers the same hex text). The two
        -- triggers that fire on these updates are dropped for the rewrite and created again as
        -- 0017 made them: rewriting a hash is no change to an item, no week is rebuilt for it.
        DROP TRIGGER items_state_au;
        DROP TRIGGER annotations_state_au;
        -- A canonical URL is stored only where it differs from the URL (85% of the demo's are
        -- equal); the store reads coalesce(canonical_url, url).
        UPDATE items SET content_hash = abreast_hash_v1(content_hash),
            canonical_url = CASE WHEN canonical_url = url THEN NULL ELSE canonical_url END;
        UPDATE annotations SET content_hash = abreast_hash_v1(content_hash);
        UPDATE embeddings SET content_hash = abreast_hash_v1(content_hash);
        {items_state_au}
        {annotations_state_au}
        -- Story members (as in 0001) without a rowid: the primary key was a second copy of the
        -- table as an index.
        CREATE TABLE story_items_v2 (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            role TEXT NOT NULL DEFAULT 'member',  -- lead | member | duplicate
            PRIMARY KEY (story_id, item_id)
        ) WITHOUT ROWID;
        INSERT INTO story_items_v2(story_id, item_id, role)
            SELECT story_id, item_id, role FROM story_items;
        DROP TABLE story_items;
        ALTER TABLE story_items_v2 RENAME TO story_items;
        CREATE INDEX story_items_item ON story_items(item_id);
        -- Indexes over what is looked up: the few duplicates (an item deleted sets its
        -- duplicates' duplicate_of to NULL through this), and the model repos (kind = 'hf'),
        -- not every item's kind.
        DROP INDEX annotations_dup;
        CREATE INDEX annotations_dup ON annotations(duplicate_of) WHERE duplicate_of IS NOT NULL;
        DROP INDEX items_kind;
        CREATE INDEX items_hf ON items(id) WHERE kind = 'hf';
        """,
    ),
    (
        "0020_hf_items_by_date",
        """
        -- The model repos in date order, as the registry reads them (store/landscape.py
        -- hf_items, item_entities): 0019's index of their ids alone lost to a walk of every item
        -- by date at 1M items.
        DROP INDEX items_hf;
        CREATE INDEX items_hf ON items(published_at, id) WHERE kind = 'hf';
        """,
    ),
    (
        "0021_week_story_counts",
        """
        -- Stories per week, kept as stories are saved (issue 20): the week list every page shows
        -- counted every story per request (a quarter of a second at 1M items). A week with
        -- stories but no items gets a row with items = 0 and version 0.
        ALTER TABLE week_stats ADD COLUMN stories INTEGER NOT NULL DEFAULT 0;
        INSERT OR IGNORE INTO week_stats(week) SELECT DISTINCT week FROM stories;
        UPDATE week_stats SET stories = (SELECT count(*) FROM stories
            WHERE stories.week = week_stats.week);
        CREATE TRIGGER stories_state_ai AFTER INSERT ON stories BEGIN
            INSERT OR IGNORE INTO week_stats(week) VALUES (new.week);
            UPDATE week_stats SET stories = stories + 1 WHERE week = new.week;
        END;
        CREATE TRIGGER stories_state_ad AFTER DELETE ON stories BEGIN
            UPDATE week_stats SET stories = stories - 1 WHERE week = old.week;
        END;
        CREATE TRIGGER stories_state_au AFTER UPDATE OF week ON stories BEGIN
            UPDATE week_stats SET stories = stories - 1 WHERE week = old.week;
            INSERT OR IGNORE INTO week_stats(week) VALUES (new.week);
            UPDATE week_stats SET stories = stories + 1 WHERE week = new.week;
        END;
        """,
    ),
    (
        "0022_compact_extra",
        """
        -- An item's source-specific facts deflated against a dictionary of the keys and
        -- addresses every source repeats (store/compact.py's EXTRA_V1): ~150 -> ~45 bytes an
        -- item. No trigger watches this column; `abreast db vacuum` then gives the space back.
        UPDATE items SET extra_json = abreast_extra_v1(extra_json)
            WHERE typeof(extra_json) = 'text' AND extra_json != '{}';
        """,
    ),
]


def _trigger(migration: str, name: str) -> str:
    """The CREATE TRIGGER statement ``name`` exactly as ``migration`` wrote it."""
    sql = dict(MIGRATIONS)[migration]
    start = sql.index(f"CREATE TRIGGER {name}")
    return sql[start : sql.index("END;", start) + len("END;")]


# 0019 creates again two triggers of 0017, word for word.
_AT = [name for name, _ in MIGRATIONS].index("0019_compact_hashes_and_indexes")
MIGRATIONS[_AT] = (
    MIGRATIONS[_AT][0],
    MIGRATIONS[_AT][1].format(
        items_state_au=_trigger("0017_process_state", "items_state_au"),
        annotations_state_au=_trigger("0017_process_state", "annotations_state_au"),
    ),
)
