-- A city (or province) groups its communes. It is a tenant like a commune
-- (its own host name, accounts and plan: the city's plan, whose units are
-- its communes), of kind 'city'; a commune names the city it reports to.
ALTER TABLE communes ADD COLUMN kind TEXT NOT NULL DEFAULT 'commune';
ALTER TABLE communes ADD COLUMN city_id TEXT REFERENCES communes(id);
CREATE INDEX communes_city ON communes (city_id);
