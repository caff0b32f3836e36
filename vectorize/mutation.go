package vectorize

import (
	"crypto/rand"
	"fmt"
)

// NewMutationID returns a random UUID (version 4), the shape of the platform's mutation ids.
// Drivers use it for Mutation.ID.
func NewMutationID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// DedupeBatch resolves repeated ids inside one write the way the platform's writes do: for
// an insert the first occurrence wins, for an upsert the last (VZ-003). Order is otherwise
// kept. Drivers call it before storing a batch.
func DedupeBatch(vs []Vector, replace bool) []Vector {
	pos := make(map[string]int, len(vs))
	out := make([]Vector, 0, len(vs))
	for _, v := range vs {
		if i, ok := pos[v.ID]; ok {
			if replace {
				out[i] = v
			}
			continue
		}
		pos[v.ID] = len(out)
		out = append(out, v)
	}
	return out
}
