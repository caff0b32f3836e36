package bridge

import (
	"maps"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/internal/engine"
)

// Metric maps a vectorize metric to the engine's.
func Metric(m vectorize.Metric) engine.Metric {
	switch m {
	case vectorize.Euclidean:
		return engine.Euclidean
	case vectorize.DotProduct:
		return engine.Dot
	}
	return engine.Cosine
}

// Query builds the engine query for a validated request and its query vector.
func Query(req vectorize.SearchRequest, vec []float32) engine.Query {
	q := engine.Query{Vector: vec, K: req.TopK, Namespace: req.Namespace}
	for _, c := range req.Conditions {
		q.Conds = append(q.Conds, engine.Cond{Path: c.Path, Op: string(c.Op), Value: c.Value, Values: c.Values})
	}
	return q
}

// Record builds the engine record of a stored vector.
func Record(v vectorize.Vector, indexed map[string]any) engine.Record {
	return engine.Record{ID: v.ID, Namespace: v.Namespace, Values: v.Values, Indexed: indexed}
}

// Columns maps metadata indexes (with their creation sequence numbers) to engine columns.
func Columns(idx []vectorize.MetadataIndex, created map[string]uint64) []engine.Column {
	out := make([]engine.Column, len(idx))
	for i, mi := range idx {
		out[i] = engine.Column{Name: mi.PropertyName, Type: string(mi.IndexType), Created: created[mi.PropertyName]}
	}
	return out
}

// CloneMetadata deep-copies JSON-shaped metadata so that callers cannot change what is stored.
func CloneMetadata(md map[string]any) map[string]any {
	if md == nil {
		return nil
	}
	out := maps.Clone(md)
	for k, v := range out {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return CloneMetadata(x)
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = cloneValue(e)
		}
		return c
	}
	return v
}
