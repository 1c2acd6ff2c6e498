CREATE TABLE feedback (
  id         bigserial PRIMARY KEY,
  author     text NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
