-- The part (the category above a lesson's chapter, issue 17) each turn was asked from, so the
-- report can group a parts > chapters > lessons book by part. NULL for books without parts and
-- for the records written before this migration.
ALTER TABLE turn_records ADD COLUMN part_id TEXT;
