ALTER TABLE feedback ADD COLUMN rating smallint CHECK (rating BETWEEN 1 AND 5);
