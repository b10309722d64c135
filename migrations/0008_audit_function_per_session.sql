-- The audit compares each event's jsonb payload with its canonical bytes in a function it creates in its own
-- session (pg_temp.chronicle_payload_matches, src/ledger/ledger-sql.ts): this one, in the schema, could be
-- replaced by the tables' owner to make every payload match. Nothing calls it any more.
DROP FUNCTION chronicle_payload_matches(bytea, jsonb);
