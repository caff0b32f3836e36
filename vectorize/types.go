package vectorize

import (
	"encoding/json"
	"fmt"
	"time"
)

// Metric is an index's distance metric, fixed at creation (VZ-001). The zero value is not a
// valid metric.
type Metric string

// The platform's three metrics and the score each gives (VZ-016).
const (
	// Cosine scores by cosine similarity in [-1, 1]: 1 is identical, higher is closer.
	Cosine Metric = "cosine"
	// Euclidean scores by L2 distance: 0 is identical, lower is closer.
	Euclidean Metric = "euclidean"
	// DotProduct scores by the negative dot product: lower is closer.
	DotProduct Metric = "dot-product"
)

// ParseMetric returns the metric named s, or an error wrapping ErrInvalidConfig.
func ParseMetric(s string) (Metric, error) {
	switch m := Metric(s); m {
	case Cosine, Euclidean, DotProduct:
		return m, nil
	}
	return "", &Error{Message: fmt.Sprintf("invalid metric %q: expected cosine, euclidean or dot-product", s), Err: ErrInvalidConfig}
}

// HigherIsCloser reports whether a larger score means a closer match (only for Cosine).
func (m Metric) HigherIsCloser() bool { return m == Cosine }

// Vector is one stored vector. The zero value is not valid: ID and Values are required.
type Vector struct {
	// ID is unique in the index, at most 64 bytes.
	ID string `json:"id"`
	// Values has exactly the index's dimensions. The platform stores float32 (VZ-002).
	Values []float32 `json:"values"`
	// Namespace is an optional partition, at most 64 bytes; "" means none.
	Namespace string `json:"namespace,omitempty"`
	// Metadata is optional, at most 10 KiB as compact JSON. Values are JSON-like: string,
	// float64 (any Go number is accepted), bool, []string, nested map[string]any.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// Match is one query result (VZ-006).
type Match struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
	// Values is set only with QueryOptions.ReturnValues.
	Values []float32 `json:"values,omitempty"`
	// Metadata is set by QueryOptions.ReturnMetadata "indexed" or "all".
	Metadata map[string]any `json:"metadata,omitempty"`
	// Namespace is the vector's namespace, "" when it has none.
	Namespace string `json:"namespace,omitempty"`
}

// Matches is a query's result: closest first.
type Matches struct {
	Count   int     `json:"count"`
	Matches []Match `json:"matches"`
}

// Mutation identifies one accepted write (VZ-004).
type Mutation struct {
	ID string `json:"mutationId"`
}

// Info is what Describe returns, the platform's v2 shape (VZ-019).
type Info struct {
	VectorCount int `json:"vectorCount"`
	Dimensions  int `json:"dimensions"`
	// ProcessedUpToDatetime is when the last mutation was applied; zero before any.
	ProcessedUpToDatetime time.Time `json:"processedUpToDatetime"`
	// ProcessedUpToMutation is the last applied mutation's id; "" before any.
	ProcessedUpToMutation string `json:"processedUpToMutation"`
}

// MarshalJSON writes null for times and ids not set yet, as the platform does for a new index.
func (i Info) MarshalJSON() ([]byte, error) {
	var at, mut any
	if !i.ProcessedUpToDatetime.IsZero() {
		at = i.ProcessedUpToDatetime.UTC().Format(time.RFC3339Nano)
	}
	if i.ProcessedUpToMutation != "" {
		mut = i.ProcessedUpToMutation
	}
	return json.Marshal(map[string]any{
		"vectorCount":           i.VectorCount,
		"dimensions":            i.Dimensions,
		"processedUpToDatetime": at,
		"processedUpToMutation": mut,
	})
}

// Config is an index's fixed configuration (VZ-001).
type Config struct {
	// Name is 1-64 bytes of letters, digits, '-' and '_', starting with a letter or digit.
	Name string `json:"name"`
	// Dimensions is 1..MaxDimensions.
	Dimensions int    `json:"dimensions"`
	Metric     Metric `json:"metric"`
	// Description is free text, optional.
	Description string `json:"description,omitempty"`
	// CreatedOn and ModifiedOn are set by the store.
	CreatedOn  time.Time `json:"created_on"`
	ModifiedOn time.Time `json:"modified_on"`
}

// Validate checks the dimensions and metric (and the name when set).
func (c Config) Validate() error {
	if c.Name != "" {
		if err := ValidateIndexName(c.Name); err != nil {
			return err
		}
	}
	if c.Dimensions < 1 || c.Dimensions > MaxDimensions {
		return &Error{Message: fmt.Sprintf("invalid dimensions %d: expected 1 to %d", c.Dimensions, MaxDimensions), Err: ErrInvalidConfig}
	}
	if _, err := ParseMetric(string(c.Metric)); err != nil {
		return err
	}
	return nil
}

// ValidateIndexName checks an index name: 1-64 bytes of ASCII letters, digits, '-' and '_',
// starting with a letter or digit (so that it is also a safe directory name).
func ValidateIndexName(name string) error {
	ok := name != "" && len(name) <= MaxIndexNameBytes
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		ok = alnum || i > 0 && (c == '-' || c == '_')
	}
	if !ok {
		return &Error{Message: fmt.Sprintf("invalid index name %q: use 1 to %d letters, digits, '-' or '_'", name, MaxIndexNameBytes), Err: ErrInvalidConfig}
	}
	return nil
}

// MetadataType is the type a metadata index holds (VZ-013).
type MetadataType string

// The three metadata index types.
const (
	String  MetadataType = "string"
	Number  MetadataType = "number"
	Boolean MetadataType = "boolean"
)

// ParseMetadataType returns the type named s, or an error wrapping ErrInvalidMetadataIndex.
func ParseMetadataType(s string) (MetadataType, error) {
	switch t := MetadataType(s); t {
	case String, Number, Boolean:
		return t, nil
	}
	return "", &Error{Message: fmt.Sprintf("invalid metadata index type %q: expected string, number or boolean", s), Err: ErrInvalidMetadataIndex}
}

// MetadataIndex makes one metadata property filterable (VZ-013). JSON matches the
// platform's list-metadata-index output.
type MetadataIndex struct {
	// PropertyName is the metadata key; a '.' addresses a nested property.
	PropertyName string       `json:"propertyName"`
	IndexType    MetadataType `json:"indexType"`
}

// MetadataLevel chooses how much metadata a query returns (VZ-009). The zero value "" means
// MetadataNone.
type MetadataLevel string

// The three levels.
const (
	MetadataNone    MetadataLevel = "none"
	MetadataIndexed MetadataLevel = "indexed"
	MetadataAll     MetadataLevel = "all"
)

// UnmarshalJSON accepts the platform's forms: "none", "indexed", "all", and true/false for
// "all"/"none". Anything else fails with the platform's text.
func (l *MetadataLevel) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		*l = MetadataNone
		if x {
			*l = MetadataAll
		}
		return nil
	case string:
		if lv := MetadataLevel(x); lv == MetadataNone || lv == MetadataIndexed || lv == MetadataAll {
			*l = lv
			return nil
		}
	case nil:
		*l = ""
		return nil
	}
	return invalidReturnMetadata(fmt.Sprint(v))
}

// QueryOptions tune a query. The zero value is the platform's defaults (VZ-007): topK 5, no
// values, no metadata, no filter, all namespaces.
type QueryOptions struct {
	// TopK is how many matches to return: 0 means 5; at most 100, or 20 with ReturnValues or
	// ReturnMetadata "all" (VZ-008).
	TopK int `json:"topK,omitempty"`
	// ReturnValues adds each match's values.
	ReturnValues bool `json:"returnValues,omitempty"`
	// ReturnMetadata: "" or "none", "indexed" or "all" (VZ-009).
	ReturnMetadata MetadataLevel `json:"returnMetadata,omitempty"`
	// Filter restricts matches by indexed metadata before topK is taken (VZ-010…012).
	Filter Filter `json:"filter,omitempty"`
	// Namespace restricts the search to one namespace; "" searches all (VZ-015).
	Namespace string `json:"namespace,omitempty"`
}
