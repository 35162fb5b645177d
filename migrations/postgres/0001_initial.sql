-- flexledger's PostgreSQL store, schema version 1 (src/store/postgres).
-- Applied by `flexledger migrate --store URL` in one transaction, recorded in
-- schema_migrations. A published migration is never edited: a change adds the next file.
-- Plain SQL that PostgreSQL-compatible distributed engines accept too: no triggers, no
-- extensions, no sequences (positions are the writer's, not the server's).

-- The log: one row per event, by position. `entry` is exactly what the sled engine
-- stores under its `L` key: the SHA-256 of the canonical envelope (32 bytes), then the
-- compact entry of src/store/log_entry.rs, from which the canonical bytes are rebuilt
-- and hashed on every read. stream, version and command_id repeat fields of the entry
-- so that the server can index them; every read checks them against the entry.
CREATE TABLE log_entries (
    position   bigint PRIMARY KEY CHECK (position > 0),
    stream     text   NOT NULL,
    version    bigint NOT NULL CHECK (version > 0),
    command_id uuid   NOT NULL,
    entry      bytea  NOT NULL,
    CONSTRAINT log_entries_stream_version UNIQUE (stream, version)
);

-- Every accepted command, remembered forever: where its events sit, and the SHA-256
-- of its canonical body (NULL for ids remembered before contract v2).
CREATE TABLE commands (
    command_id     uuid   PRIMARY KEY,
    first_position bigint NOT NULL,
    event_count    bigint NOT NULL,
    body_digest    bytea
);

-- Derived decision state, written in the same transaction as the events it reflects.
-- `key` is the sled engine's state key (src/store/state_keys.rs: a kind byte, then
-- its fields); bytea compares byte by byte, so a region's member index is one key
-- range in member id order.
CREATE TABLE state_rows (
    key   bytea PRIMARY KEY,
    value bytea NOT NULL
);

-- The feed's coverage-change items, one per (position, member): written with the
-- events that caused them (a month close's just ahead of its event, and removed by
-- the writer if that event never came: D90), never rebuilt.
CREATE TABLE feed_items (
    position  bigint NOT NULL,
    member_id uuid   NOT NULL,
    item      bytea  NOT NULL,
    PRIMARY KEY (position, member_id)
);

-- The head witness: the position and hash of the last event appended, updated in
-- every append's transaction. A log that ends before it, or holds another event
-- there, lost acknowledged events: opening the store refuses it as damage.
CREATE TABLE head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL,
    hash      bytea   NOT NULL
);
INSERT INTO head (singleton, position, hash)
VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);

-- Signed audit checkpoints, by tree size: stored once, never replaced.
CREATE TABLE audit_checkpoints (
    tree_size  bigint PRIMARY KEY,
    checkpoint bytea  NOT NULL
);
