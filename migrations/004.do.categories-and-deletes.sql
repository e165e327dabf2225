-- A note's category (the empty string: none), which listings filter by, and its
-- deletion: DELETE /notes/{id}/ marks the row, and every read leaves marked rows
-- out. Marked, not removed, so that a keyed create's replay still answers the
-- note it created (its idempotency_keys row points at it) and an id is never
-- found again. Adding a column with a constant default rewrites no rows.
alter table notes
  add column category text not null default '' check (char_length(category) <= 100),
  add column deleted_at timestamptz;
-- Listings by category: keyset pages and the full stream scan (category, id) in
-- id order. Not partial (where deleted_at is null): the listings without a
-- category would match its predicate too, and on a table not yet analyzed (just
-- after a bulk load) the planner took it for them, reading every note and sorting
-- for each batch of 100 (38 ms a batch at 300 000 notes, against 0.1 ms by the key).
create index notes_category_id on notes (category, id);
