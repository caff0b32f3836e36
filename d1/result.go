package d1

// ServedBy is Meta.ServedBy for every local query: the local simulator's value (D1-018), so
// snapshots taken against it stay valid.
const ServedBy = "miniflare.db"

// Meta is the platform's result meta (D1-014), with its JSON field names. The zero value is
// the meta of a query that read and wrote nothing.
type Meta struct {
	// ServedBy names the instance that ran the query: ServedBy locally.
	ServedBy string `json:"served_by"`
	// ServedByPrimary is true: a local database is its own primary.
	ServedByPrimary bool `json:"served_by_primary"`
	// Duration is the time the query took in the database, in milliseconds.
	Duration float64 `json:"duration"`
	// Changes is the number of rows inserted, updated or deleted (triggers included).
	Changes int64 `json:"changes"`
	// LastRowID is the rowid of the last row inserted on the database's connection; after a
	// statement that inserts nothing its value is not defined (D1-017).
	LastRowID int64 `json:"last_row_id"`
	// ChangedDB reports whether the query changed the database.
	ChangedDB bool `json:"changed_db"`
	// SizeAfter is the database size in bytes after the query.
	SizeAfter int64 `json:"size_after"`
	// RowsRead and RowsWritten are the billing counters. Locally RowsRead counts the rows
	// returned plus the rows changed and RowsWritten the rows changed: exact for the
	// platform's documented examples (D1-015, D1-016), an estimate for scans that read more
	// rows than they return.
	RowsRead    int64 `json:"rows_read"`
	RowsWritten int64 `json:"rows_written"`
	// Timings.SQLDurationMs repeats Duration, as the platform reports it.
	Timings Timings `json:"timings"`
	// TotalAttempts is 1: a local query is never retried.
	TotalAttempts int `json:"total_attempts"`
}

// Timings is Meta.Timings.
type Timings struct {
	SQLDurationMs float64 `json:"sql_duration_ms"`
}

// Result is what All and Run return (D1-009): Results holds one map per row, column name to
// value, where a later column of the same name overwrites an earlier one (D1-011; Raw keeps
// them all). Values are nil, int64, float64, string or []byte.
type Result struct {
	Success bool             `json:"success"`
	Results []map[string]any `json:"results"`
	Meta    Meta             `json:"meta"`

	columns []string
}

// Columns returns the result's column names in order, duplicates included.
func (r *Result) Columns() []string { return r.columns }

// ExecResult is what Exec returns (D1-023): the number of statements run and the time they
// took in milliseconds.
type ExecResult struct {
	Count    int     `json:"count"`
	Duration float64 `json:"duration"`
}

// RawOptions are Raw's options (D1-012). The zero value returns rows only.
type RawOptions struct {
	// ColumnNames puts the column names first, as a row of strings.
	ColumnNames bool
}

// newResult shapes a driver's rows as the platform's objects.
func newResult(r *Rows) *Result {
	res := &Result{Success: true, Meta: r.Meta, columns: r.Columns, Results: make([]map[string]any, len(r.Values))}
	for i, row := range r.Values {
		m := make(map[string]any, len(r.Columns))
		for j, c := range r.Columns {
			m[c] = row[j]
		}
		res.Results[i] = m
	}
	return res
}
