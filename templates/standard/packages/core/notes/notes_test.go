package notes

import (
	"errors"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	n, err := New("  hello ", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil || n.Content != "hello" || n.CreatedAt != "2024-01-02T03:04:05Z" || len(n.NoteID) != 16 {
		t.Errorf("New = %+v, %v", n, err)
	}
	if _, err := New(" ", time.Now()); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty content: %v", err)
	}
}
