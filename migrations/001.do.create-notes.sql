-- The talk's notes table. Identity instead of serial: the sequence belongs to the column.
create table notes (
  id bigint generated always as identity primary key,
  contents text not null,
  creation_date timestamptz not null default now()
);
