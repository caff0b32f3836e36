package engine

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/flarego/flarego/vectorize/vectorizetest"
	"github.com/stretchr/testify/require"
)

func TestSnapshotRoundTrip(t *testing.T) {
	d := vectorizetest.Clustered(1500, 20, 12, 5)
	e := New(12, Euclidean, Options{ExactBelow: 100})
	require.NoError(t, e.SetColumns([]Column{{Name: "cat", Type: "number", Created: 1}, {Name: "s", Type: "string", Created: 1}}))
	var recs []Record
	for i, v := range d.Vectors {
		recs = append(recs, Record{ID: strconv.Itoa(i), Values: v, Namespace: "ns" + strconv.Itoa(i%3),
			Indexed: map[string]any{"cat": float64(d.Category[i]), "s": "x" + strconv.Itoa(i%2)}})
	}
	e.Apply(2, recs, nil)
	e.Apply(3, nil, []string{"1", "2", "never"})
	var buf bytes.Buffer
	require.NoError(t, e.Save(&buf, func() uint64 { return 3 }))

	l, seq, err := Load(bytes.NewReader(buf.Bytes()), 12, Euclidean, Options{ExactBelow: 100})
	require.NoError(t, err)
	require.Equal(t, uint64(3), seq)
	require.Equal(t, e.Len(), l.Len())
	require.Equal(t, e.Indexed("5"), l.Indexed("5"))
	for _, q := range d.Queries {
		for _, query := range []Query{
			{Vector: q, K: 10},
			{Vector: q, K: 10, Namespace: "ns1", Conds: []Cond{{Path: "cat", Op: "$lt", Value: 5.0}}},
			{Vector: q, K: 5, Conds: []Cond{{Path: "s", Op: "$eq", Value: "x1"}}},
		} {
			require.Equal(t, e.Search(query), l.Search(query))
		}
	}
	// A delete older than the snapshot's tombstone is refused after loading too.
	l.Apply(1, []Record{{ID: "1", Values: d.Vectors[1]}}, nil)
	require.False(t, l.Has("1"))

	_, _, err = Load(bytes.NewReader(buf.Bytes()), 13, Euclidean, Options{})
	require.ErrorIs(t, err, ErrCorrupt)
	b := bytes.Clone(buf.Bytes())
	b[len(b)-10] ^= 1
	_, _, err = Load(bytes.NewReader(b), 12, Euclidean, Options{})
	require.ErrorIs(t, err, ErrCorrupt)
	_, _, err = Load(bytes.NewReader(b[:100]), 12, Euclidean, Options{})
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestLastWriterWins(t *testing.T) {
	e := New(2, Cosine, Options{})
	e.Apply(5, []Record{{ID: "a", Values: []float32{1, 0}}}, nil)
	e.Apply(4, []Record{{ID: "a", Values: []float32{0, 1}}}, nil) // older: ignored
	v, _, _ := e.Vector("a")
	require.Equal(t, []float32{1, 0}, v)
	e.Apply(7, nil, []string{"a"})
	e.Apply(6, []Record{{ID: "a", Values: []float32{0, 1}}}, nil) // older than the delete
	require.False(t, e.Has("a"))
	e.Apply(8, []Record{{ID: "a", Values: []float32{0, 1}}}, nil)
	require.True(t, e.Has("a"))
	nodes, dead := e.Stats()
	require.Equal(t, 2, nodes)
	require.Equal(t, 1, dead)
	// Same content again only moves the sequence: no new node.
	e.Apply(9, []Record{{ID: "a", Values: []float32{0, 1}}}, nil)
	nodes, _ = e.Stats()
	require.Equal(t, 2, nodes)
}
