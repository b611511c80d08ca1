-- What each professional does in the network: role codes, comma-separated (ema_member, referent…).
ALTER TABLE professionals ADD COLUMN network_roles TEXT NOT NULL DEFAULT '';
