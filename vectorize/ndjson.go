package vectorize

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
)

// ReadNDJSON yields the vectors of a newline-delimited JSON stream in the platform's bulk
// format, one `{"id","values","metadata","namespace"}` object per line (blank lines are
// skipped). A line that does not parse yields an error naming its line number and stops.
func ReadNDJSON(r io.Reader) iter.Seq2[Vector, error] {
	return func(yield func(Vector, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		line := 0
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			var v Vector
			if err := json.Unmarshal(b, &v); err != nil {
				yield(Vector{}, fmt.Errorf("vectorize: ndjson line %d: %w", line, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(Vector{}, fmt.Errorf("vectorize: ndjson: %w", err))
		}
	}
}

// LoadNDJSON writes every vector of an ndjson stream into x in batches of batch vectors
// (0 or more than MaxBatch means MaxBatch), by Upsert when upsert is set and Insert
// otherwise, as the platform's CLI `insert`/`upsert --file` does. It returns how many
// vectors were sent and the mutation of each batch; on error, the batches before it stay
// written.
func LoadNDJSON(ctx context.Context, x *Index, r io.Reader, upsert bool, batch int) (int, []Mutation, error) {
	if batch <= 0 || batch > MaxBatch {
		batch = MaxBatch
	}
	var muts []Mutation
	sent := 0
	buf := make([]Vector, 0, batch)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		var m Mutation
		var err error
		if upsert {
			m, err = x.Upsert(ctx, buf)
		} else {
			m, err = x.Insert(ctx, buf)
		}
		if err != nil {
			return err
		}
		muts = append(muts, m)
		sent += len(buf)
		buf = buf[:0]
		return nil
	}
	for v, err := range ReadNDJSON(r) {
		if err != nil {
			return sent, muts, err
		}
		buf = append(buf, v)
		if len(buf) == batch {
			if err := flush(); err != nil {
				return sent, muts, err
			}
		}
	}
	return sent, muts, flush()
}
