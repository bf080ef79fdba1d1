-- The key a key was minted with: a minted key never outlives its parent and is revoked with it.
ALTER TABLE api_keys ADD COLUMN parent_key_id TEXT;
CREATE INDEX api_keys_by_parent ON api_keys (parent_key_id);
