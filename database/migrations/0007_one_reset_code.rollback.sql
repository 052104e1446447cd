-- Undo 0007_one_reset_code (the deleted duplicates stay deleted: they were no longer usable).
DROP INDEX user_tokens_one_open_reset_idx;
