CREATE TABLE notes (
  id         BIGSERIAL PRIMARY KEY,
  content    TEXT NOT NULL CHECK (content <> ''),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
