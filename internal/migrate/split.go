package migrate

import (
	"strings"
)

// Statement is one SQL statement of a migration file.
type Statement struct {
	SQL string
	// Line is the 1-based line of the file where the statement starts, for
	// error messages.
	Line int
}

// Split cuts a SQL script into statements at top-level semicolons.
//
// The RDS Data API runs one statement per call, so files are split on our
// side for every driver; doing it for direct connections too means a file
// behaves the same whichever way it is applied. Semicolons inside quotes,
// quoted identifiers, comments and (PostgreSQL) dollar-quoted bodies such as
// function definitions do not split. MySQL's DELIMITER is a command of the
// mysql client, not SQL, and is not supported. Statements that are only
// comments or whitespace are dropped.
func Split(script string, d Dialect) []Statement {
	var out []Statement
	start, line, startLine := 0, 1, 1 // start and startLine are set at each statement's first code
	hasCode := false
	emit := func(end int) {
		if hasCode {
			if sql := strings.TrimSpace(script[start:end]); sql != "" {
				out = append(out, Statement{SQL: sql, Line: startLine})
			}
		}
		hasCode = false
	}
	n := len(script)
	for i := 0; i < n; {
		c := script[i]
		switch {
		case c == '\n':
			line++
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
			continue
		case c == ';':
			emit(i)
			i++
			continue
		}
		if !hasCode && !startsComment(script, i, d) {
			// The statement starts at its first line of code, not at the
			// comments and blank lines before it.
			hasCode = true
			start, startLine = i, line
		}
		j := skipToken(script, i, d)
		line += strings.Count(script[i:j], "\n")
		i = j
	}
	emit(n)
	return out
}

func startsComment(s string, i int, d Dialect) bool {
	return strings.HasPrefix(s[i:], "--") || strings.HasPrefix(s[i:], "/*") || (d == MySQL && s[i] == '#')
}

// skipToken returns the end of the token starting at i: a whole quoted
// string, identifier, comment or dollar-quoted body, or one byte of
// anything else. An unterminated token runs to the end of the script, and
// the database reports the syntax error.
func skipToken(s string, i int, d Dialect) int {
	n := len(s)
	switch c := s[i]; {
	case strings.HasPrefix(s[i:], "--") || (d == MySQL && c == '#'):
		if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
			return i + k // the newline is counted by the caller
		}
		return n
	case strings.HasPrefix(s[i:], "/*"):
		// PostgreSQL nests block comments; MySQL does not.
		depth, j := 1, i+2
		for j < n && depth > 0 {
			switch {
			case d == Postgres && strings.HasPrefix(s[j:], "/*"):
				depth++
				j += 2
			case strings.HasPrefix(s[j:], "*/"):
				depth--
				j += 2
			default:
				j++
			}
		}
		return j
	case c == '\'' || c == '"' || (d == MySQL && c == '`'):
		// A doubled quote is an escaped quote. MySQL strings also take
		// backslash escapes; in PostgreSQL only E'...' strings do.
		backslash := d == MySQL && c != '`' || d == Postgres && c == '\'' && i > 0 && (s[i-1] == 'E' || s[i-1] == 'e') && (i < 2 || !isIdent(s[i-2]))
		j := i + 1
		for j < n {
			switch {
			case backslash && s[j] == '\\':
				j += 2
			case s[j] == c && j+1 < n && s[j+1] == c:
				j += 2
			case s[j] == c:
				return j + 1
			default:
				j++
			}
		}
		return n
	case d == Postgres && c == '$':
		if tag, ok := dollarTag(s, i); ok {
			if k := strings.Index(s[i+len(tag):], tag); k >= 0 {
				return i + len(tag) + k + len(tag)
			}
			return n
		}
	case isIdent(c):
		// Whole words, so "$" inside an identifier (legal in PostgreSQL)
		// never starts a dollar quote.
		j := i + 1
		for j < n && (isIdent(s[j]) || s[j] == '$') {
			j++
		}
		return j
	}
	return i + 1
}

// dollarTag reads a PostgreSQL dollar-quote opener, $$ or $tag$, at i.
func dollarTag(s string, i int) (string, bool) {
	j := i + 1
	for j < len(s) && isIdent(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '$' {
		tag := s[i : j+1]
		if len(tag) > 2 && tag[1] >= '0' && tag[1] <= '9' {
			return "", false // $1 is a parameter, not a tag
		}
		return tag, true
	}
	return "", false
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
