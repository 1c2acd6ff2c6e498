INSERT INTO notes (body) VALUES ('first; with a semicolon');
INSERT INTO notes (body) VALUES ('second');
