-- Notes, the app's only table.
CREATE TABLE notes (
  id   serial PRIMARY KEY,
  body text NOT NULL
);
