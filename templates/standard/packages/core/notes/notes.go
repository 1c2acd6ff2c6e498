// Package notes is the app's domain code, shared by every function:
// handlers stay thin and this is what unit tests cover.
package notes

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// CreatedEvent is the detail-type published when a note is created.
const CreatedEvent = "note.created"

// Source is the event source the app publishes under.
const Source = "notes"

// Note is one note.
type Note struct {
	NoteID    string `json:"noteId"`
	Content   string `json:"content"`
	CreatedAt string `json:"createdAt"`
}

// ErrEmpty is returned for a note without content.
var ErrEmpty = errors.New(`a note needs content: send JSON like {"content": "…"}`)

// New validates content and makes a note of it.
func New(content string, now time.Time) (Note, error) {
	content = strings.TrimSpace(content)
	if content == "" {
		return Note{}, ErrEmpty
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return Note{NoteID: hex.EncodeToString(b), Content: content, CreatedAt: now.UTC().Format(time.RFC3339)}, nil
}
