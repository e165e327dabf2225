-- Idempotency-Key of POST /notes/: the key and the note it created, written in
-- the same transaction as the note. Rows older than IDEMPOTENCY_KEY_TTL_MS count
-- as absent and are deleted as new keyed requests come in.
create table idempotency_keys (
  key text primary key,
  note_id bigint not null references notes (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index idempotency_keys_created_at on idempotency_keys (created_at);
