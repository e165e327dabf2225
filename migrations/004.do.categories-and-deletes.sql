-- A note's category (the empty string: none), which listings filter by, and its
-- deletion: DELETE /notes/{id}/ marks the row, and every read leaves marked rows
-- out. Marked, not removed, so that a keyed create's replay still answers the
-- note it created (its idempotency_keys row points at it) and an id is never
-- found again. Adding a column with a constant default rewrites no rows.
alter table notes
  add column category text not null default '' check (char_length(category) <= 100),
  add column deleted_at timestamptz;
-- Listings by category: keyset pages and the full stream scan (category, id) in
-- id order, over notes not deleted only.
create index notes_category_id on notes (category, id) where deleted_at is null;
