package fulfillment

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// MaxProblems is how many problems a FeedError lists; further ones are only counted.
const MaxProblems = 20

// Unit says what a problem's position counts.
type Unit string

const (
	// UnitLine counts lines from 1 (CSV and NDJSON feeds).
	UnitLine Unit = "line"
	// UnitIndex counts array elements from 0 (JSON feeds).
	UnitIndex Unit = "index"
)

// Problem is one thing wrong with a feed, at one position.
type Problem struct {
	Unit     Unit
	Position int64
	Message  string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s %d: %s", p.Unit, p.Position, p.Message)
}

// FeedError says why a feed is malformed. It lists the first MaxProblems problems by position
// and counts the others, so one read shows most of what needs fixing.
type FeedError struct {
	// Problems are sorted by position.
	Problems []Problem
	// Omitted counts the problems found beyond MaxProblems.
	Omitted int
}

func (e *FeedError) Error() string {
	var b strings.Builder
	total := len(e.Problems) + e.Omitted
	if total == 1 {
		b.WriteString("feed is malformed: ")
	} else {
		fmt.Fprintf(&b, "feed is malformed, %d problems: ", total)
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "; and %d more", e.Omitted)
	}
	return b.String()
}

// problemList collects problems up to MaxProblems.
type problemList struct {
	unit     Unit
	problems []Problem
	omitted  int
}

func (l *problemList) add(position int64, format string, args ...any) {
	if len(l.problems) >= MaxProblems {
		l.omitted++
		return
	}
	l.problems = append(l.problems, Problem{Unit: l.unit, Position: position, Message: fmt.Sprintf(format, args...)})
}

func (l *problemList) empty() bool { return len(l.problems) == 0 && l.omitted == 0 }

// err returns the collected problems as a *FeedError, or nil when there are none.
func (l *problemList) err() error {
	if l.empty() {
		return nil
	}
	slices.SortStableFunc(l.problems, func(a, b Problem) int { return cmp.Compare(a.Position, b.Position) })
	return &FeedError{Problems: l.problems, Omitted: l.omitted}
}

// quote quotes a feed's text for a message, shortened so a garbage field cannot flood an error.
func quote(s string) string {
	const limit = 64
	if len(s) > limit {
		return fmt.Sprintf("%q...", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}
