package fulfillment

import "io"

// entryTooLongError is a limiter's read error when one entry of the feed outgrows
// limits.recordBytes; parsing stops there, as the reader cannot find the entry's end.
type entryTooLongError struct {
	// position is where the entry starts, in the parser's unit.
	position int64
}

func (e *entryTooLongError) Error() string { return "feed entry too long" }

// csvRecordLimiter passes a CSV document through and fails once one record (the bytes
// between two line ends outside quotes) outgrows max, so the CSV reader never buffers more.
// Toggling on every quote is exact for valid CSV; a stray quote makes the CSV reader fail at
// its own record, which it reads before this limiter can go wrong.
type csvRecordLimiter struct {
	r          io.Reader
	max        int
	inQuotes   bool
	recordLen  int
	line       int64 // the line being read, from 1
	recordLine int64 // the line the current record starts at
	err        error
}

func newCSVRecordLimiter(r io.Reader, max int) *csvRecordLimiter {
	return &csvRecordLimiter{r: r, max: max, line: 1, recordLine: 1}
}

func (c *csvRecordLimiter) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	for i, ch := range p[:n] {
		switch ch {
		case '"':
			c.inQuotes = !c.inQuotes
		case '\n':
			c.line++
			if !c.inQuotes {
				c.recordLen, c.recordLine = 0, c.line
				continue
			}
		}
		c.recordLen++
		if c.recordLen > c.max {
			c.err = &entryTooLongError{position: c.recordLine}
			return i, c.err
		}
	}
	return n, err
}

// entryLimiter passes a document through and fails once more than max bytes were read since
// the parser marked the start of an entry, so a JSON decoder never buffers more than one
// bounded entry.
type entryLimiter struct {
	r        io.Reader
	max      int64
	read     int64
	start    int64
	position int64
	err      error
}

// mark starts an entry at position; buffered bytes were read but not yet consumed, and count
// towards it.
func (e *entryLimiter) mark(position int64, buffered io.Reader) {
	var n int
	if b, ok := buffered.(interface{ Len() int }); ok {
		n = b.Len()
	}
	e.start, e.position = e.read-int64(n), position
}

func (e *entryLimiter) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	room := e.start + e.max - e.read
	if room <= 0 {
		e.err = &entryTooLongError{position: e.position}
		return 0, e.err
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := e.r.Read(p)
	e.read += int64(n)
	return n, err
}
