-- Note ids end at 2^53 - 1 (Number.MAX_SAFE_INTEGER): every id the API returns is
-- exact as a JSON number, in JavaScript and any other client that reads numbers as
-- doubles. Past it a create fails (SQLSTATE 2200H) and the service answers 507.
alter table notes alter column id set maxvalue 9007199254740991;
