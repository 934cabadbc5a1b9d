package fulfillment

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// DefaultMaxBytes caps a feed's decompressed size when the caller sets no cap: a million
// SKUs of 40 characters fit, and parsing peaks at about three times the feed, so a feed at
// the caps stays well within the sync pod's memory limit (`make bench-feed` measures it).
const DefaultMaxBytes int64 = 64 << 20

// ErrTooLarge is wrapped by the error of a feed that exceeds its size cap.
var ErrTooLarge = errors.New("feed exceeds its size cap")

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// Parse reads a feed of the given format from r, decompressing it when it is gzip, with the
// DefaultMaxBytes cap. A malformed feed returns a *FeedError.
func Parse(r io.Reader, format v1alpha1.FeedFormat) (*Levels, error) {
	return ParseLimit(r, format, DefaultMaxBytes)
}

// ParseLimit is Parse with a cap on the feed's decompressed size; maxBytes <= 0 means
// DefaultMaxBytes. Exceeding it returns an error wrapping ErrTooLarge.
func ParseLimit(r io.Reader, format v1alpha1.FeedFormat, maxBytes int64) (*Levels, error) {
	return parseWithin(r, format, maxBytes, defaultLimits)
}

// parseWithin is ParseLimit with the entry bounds given.
func parseWithin(r io.Reader, format v1alpha1.FeedFormat, maxBytes int64, lim limits) (*Levels, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	parse, err := parserFor(format)
	if err != nil {
		return nil, err
	}
	src := &sourceReader{}
	buffered := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := buffered.Peek(len(gzipMagic)); bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(buffered)
		if err != nil {
			return nil, fmt.Errorf("decompressing feed: %w", err)
		}
		defer zr.Close()
		src.r = zr
	} else {
		src.r = buffered
	}
	src.remaining = maxBytes
	src.limit = maxBytes

	levels, err := parse(src, lim)
	// A failed read (size cap, broken connection, corrupt gzip) explains a parse failure
	// better than the truncated document it left behind.
	if src.err != nil {
		return nil, src.err
	}
	return levels, err
}

func parserFor(format v1alpha1.FeedFormat) (func(io.Reader, limits) (*Levels, error), error) {
	switch format {
	case v1alpha1.FeedFormatCSV:
		return parseCSV, nil
	case v1alpha1.FeedFormatJSON:
		return parseJSON, nil
	case v1alpha1.FeedFormatNDJSON:
		return parseNDJSON, nil
	default:
		return nil, fmt.Errorf("unknown feed format %q: want CSV, JSON or NDJSON", format)
	}
}

// sourceReader caps the decompressed bytes and remembers the first read error, so a parser's
// complaint about a cut-off document can be replaced by the real reason.
type sourceReader struct {
	r         io.Reader
	remaining int64
	limit     int64
	err       error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.remaining <= 0 {
		// Probe one byte: a feed of exactly the cap is fine.
		var one [1]byte
		for {
			n, err := s.r.Read(one[:])
			switch {
			case n > 0:
				s.err = fmt.Errorf("%w of %s (decompressed)", ErrTooLarge, formatBytes(s.limit))
				return 0, s.err
			case err == io.EOF:
				return 0, io.EOF
			case err != nil:
				s.err = fmt.Errorf("reading feed: %w", err)
				return 0, s.err
			}
		}
	}
	if int64(len(p)) > s.remaining {
		p = p[:s.remaining]
	}
	n, err := s.r.Read(p)
	s.remaining -= int64(n)
	if err != nil && err != io.EOF {
		s.err = fmt.Errorf("reading feed: %w", err)
		return n, s.err
	}
	return n, err
}

// formatBytes renders a size in the largest binary unit that divides it, for messages.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
