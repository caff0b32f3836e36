package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flarego/flarego/internal/groupcommit"
	"github.com/flarego/flarego/internal/sqlitedb"
	"github.com/flarego/flarego/workflows/driver"
)

// Options tune Open. The zero value is the default.
type Options struct {
	// Full makes every commit fsync (survives power loss, not only a killed process).
	Full bool
}

// Driver is a driver.Driver over one SQLite database. Make one with Open.
type Driver struct {
	db    *sqlitedb.DB
	gc    *groupcommit.Committer
	write map[string]*sql.Stmt
	read  map[string]*sql.Stmt

	// The writes of one group-commit batch share a transaction and run one after another
	// on the committer's goroutine, so they can share the statements bound to it.
	batchTx    *sql.Tx
	batchBound map[string]*sql.Stmt
}

var readQueries = []string{qInstance, qHead, qParams, qSteps, qWaiting, qCount, qDue, qNextWake, qMeta}

var writeQueries = append([]string{qInsert, qUpdate, qDelete, qDeleteSteps, qDeleteEvents, qPutStep,
	qAddEvent, qFirstEvent, qDeleteEvent, qSetMeta}, readQueries...)

// Open opens (creating it when missing) the database file at path; "" opens a private
// in-memory database.
func Open(path string, o Options) (*Driver, error) {
	db, err := sqlitedb.Open(path, sqlitedb.Options{Full: o.Full})
	if err != nil {
		return nil, err
	}
	if _, err := db.Write.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: create schema in %q: %w", path, err)
	}
	d := &Driver{db: db, write: map[string]*sql.Stmt{}, read: map[string]*sql.Stmt{}}
	for _, q := range writeQueries {
		if d.write[q], err = db.Write.Prepare(q); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
	}
	for _, q := range readQueries {
		if d.read[q], err = db.Read.Prepare(q); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
	}
	d.gc = groupcommit.New(db.Write)
	return d, nil
}

// Path is the database file, or "" for an in-memory database.
func (d *Driver) Path() string { return d.db.Path }

// View implements driver.Driver. Reads run on the read pool, beside the writer.
func (d *Driver) View(ctx context.Context, fn func(driver.ReadTx) error) error {
	return fn(&tx{ctx: ctx, stmts: d.read, readDB: d.db.Read})
}

// Update implements driver.Driver. Concurrent Updates share one SQLite transaction (group
// commit), each in its own savepoint.
func (d *Driver) Update(ctx context.Context, fn func(driver.Tx) error) error {
	return d.gc.Do(ctx, func(sqlTx *sql.Tx) error {
		if d.batchTx != sqlTx {
			d.batchTx, d.batchBound = sqlTx, map[string]*sql.Stmt{}
		}
		return fn(&tx{ctx: ctx, sqlTx: sqlTx, stmts: d.write, bound: d.batchBound})
	})
}

// Close waits for pending writes and closes the database.
func (d *Driver) Close() error {
	d.gc.Close()
	for _, s := range d.write {
		s.Close()
	}
	for _, s := range d.read {
		s.Close()
	}
	return d.db.Close()
}

type tx struct {
	ctx    context.Context
	sqlTx  *sql.Tx // nil in View
	readDB *sql.DB // the read pool, in View
	stmts  map[string]*sql.Stmt
	bound  map[string]*sql.Stmt
}

func (t *tx) stmt(q string) *sql.Stmt {
	s := t.stmts[q]
	if t.sqlTx == nil {
		return s
	}
	if b, ok := t.bound[q]; ok {
		return b
	}
	b := t.sqlTx.StmtContext(context.Background(), s)
	t.bound[q] = b
	return b
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	return t.stmt(q).ExecContext(t.ctx, args...)
}

func nanos(tm time.Time) int64 {
	if tm.IsZero() {
		return 0
	}
	return tm.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func nullNanos(tm time.Time) any {
	if tm.IsZero() {
		return nil
	}
	return tm.UnixNano()
}

func errCols(e *driver.ErrorInfo) (any, any) {
	if e == nil {
		return nil, nil
	}
	return e.Name, e.Message
}

func errFrom(name, msg sql.NullString) *driver.ErrorInfo {
	if !name.Valid {
		return nil
	}
	return &driver.ErrorInfo{Name: name.String, Message: msg.String}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type scanner interface{ Scan(dest ...any) error }

func scanInstance(r scanner) (driver.Instance, error) {
	var (
		in                              driver.Instance
		status                          string
		created, started, ended, paused int64
		wake                            sql.NullInt64
		queued                          int
		errName, errMsg                 sql.NullString
	)
	err := r.Scan(&in.ID, &in.Gen, &status, &created, &started, &ended, &paused, &wake, &queued,
		&in.Output, &errName, &errMsg, &in.EventBytes)
	if err != nil {
		return in, err
	}
	in.Status = driver.Status(status)
	in.Created, in.Started, in.Ended, in.Paused = fromNanos(created), fromNanos(started), fromNanos(ended), fromNanos(paused)
	if wake.Valid {
		in.WakeAt = time.Unix(0, wake.Int64)
	}
	in.Queued = queued != 0
	in.Error = errFrom(errName, errMsg)
	return in, nil
}

func (t *tx) Instance(id string) (driver.Instance, error) {
	in, err := scanInstance(t.stmt(qInstance).QueryRowContext(t.ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, driver.ErrNotFound
	}
	return in, err
}

func (t *tx) Head(id string) (int64, driver.Status, error) {
	var (
		gen    int64
		status string
	)
	err := t.stmt(qHead).QueryRowContext(t.ctx, id).Scan(&gen, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", driver.ErrNotFound
	}
	return gen, driver.Status(status), err
}

func (t *tx) Params(id string) ([]byte, error) {
	var p []byte
	err := t.stmt(qParams).QueryRowContext(t.ctx, id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, driver.ErrNotFound
	}
	return p, err
}

func (t *tx) Steps(instanceID string) ([]driver.Step, error) {
	rows, err := t.stmt(qSteps).QueryContext(t.ctx, instanceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []driver.Step
	for rows.Next() {
		var (
			s                    driver.Step
			kind, state          string
			started, ended, wake int64
			errName, errMsg      sql.NullString
			attempts             []byte
		)
		if err := rows.Scan(&s.InstanceID, &kind, &s.Name, &s.Occurrence, &s.Seq, &s.DoneSeq, &state, &s.Config,
			&started, &ended, &wake, &s.EventType, &s.Output, &errName, &errMsg, &attempts); err != nil {
			return nil, err
		}
		s.Kind, s.State = driver.StepKind(kind), driver.StepState(state)
		s.Start, s.End, s.WakeAt = fromNanos(started), fromNanos(ended), fromNanos(wake)
		s.Error = errFrom(errName, errMsg)
		if len(attempts) > 0 {
			if err := json.Unmarshal(attempts, &s.Attempts); err != nil {
				return nil, fmt.Errorf("sqlite: step %q attempts: %w", s.Name, err)
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *tx) Waiting(instanceID, eventType string) (bool, error) {
	var one int
	err := t.stmt(qWaiting).QueryRowContext(t.ctx, instanceID, eventType).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (t *tx) List(f driver.Filter) ([]driver.Instance, error) {
	var (
		b    strings.Builder
		args []any
	)
	b.WriteString(`SELECT id, gen, status, created, started, ended, paused, wake_at, queued, NULL, NULL, NULL, event_bytes FROM instances`)
	if len(f.Status) > 0 {
		b.WriteString(` WHERE status IN (?` + strings.Repeat(", ?", len(f.Status)-1) + `)`)
		for _, s := range f.Status {
			args = append(args, string(s))
		}
	}
	b.WriteString(` ORDER BY created DESC, id DESC`)
	if f.Limit > 0 || f.Offset > 0 {
		limit := f.Limit
		if limit <= 0 {
			limit = -1
		}
		b.WriteString(` LIMIT ? OFFSET ?`)
		args = append(args, limit, f.Offset)
	}
	var (
		rows *sql.Rows
		err  error
	)
	if t.sqlTx != nil {
		rows, err = t.sqlTx.QueryContext(t.ctx, b.String(), args...)
	} else {
		rows, err = t.readDB.QueryContext(t.ctx, b.String(), args...)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []driver.Instance
	for rows.Next() {
		in, err := scanInstance(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

func (t *tx) Count() (map[driver.Status]int, error) {
	rows, err := t.stmt(qCount).QueryContext(t.ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[driver.Status]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[driver.Status(s)] = n
	}
	return out, rows.Err()
}

func (t *tx) Due(now time.Time, queued bool, limit int) ([]string, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.stmt(qDue).QueryContext(t.ctx, boolInt(queued), now.UnixNano(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (t *tx) NextWake(after time.Time) (time.Time, bool, error) {
	var best time.Time
	for _, q := range []int{0, 1} {
		var n sql.NullInt64
		if err := t.stmt(qNextWake).QueryRowContext(t.ctx, q, after.UnixNano()).Scan(&n); err != nil {
			return time.Time{}, false, err
		}
		if n.Valid {
			if w := time.Unix(0, n.Int64); best.IsZero() || w.Before(best) {
				best = w
			}
		}
	}
	return best, !best.IsZero(), nil
}

func (t *tx) Meta(key string) (string, bool, error) {
	var v string
	err := t.stmt(qMeta).QueryRowContext(t.ctx, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (t *tx) Insert(in driver.Instance) error {
	en, em := errCols(in.Error)
	res, err := t.exec(qInsert, in.ID, in.Gen, string(in.Status), in.Params, nanos(in.Created), nanos(in.Started),
		nanos(in.Ended), nanos(in.Paused), nullNanos(in.WakeAt), boolInt(in.Queued), in.Output, en, em, in.EventBytes)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return driver.ErrExists
	}
	return nil
}

func (t *tx) Update(in driver.Instance) error {
	en, em := errCols(in.Error)
	res, err := t.exec(qUpdate, in.Gen, string(in.Status), nanos(in.Started), nanos(in.Ended), nanos(in.Paused),
		nullNanos(in.WakeAt), boolInt(in.Queued), in.Output, en, em, in.EventBytes, in.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return driver.ErrNotFound
	}
	return nil
}

func (t *tx) Delete(id string) error {
	res, err := t.exec(qDelete, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return driver.ErrNotFound
	}
	return t.ClearHistory(id)
}

func (t *tx) ClearHistory(instanceID string) error {
	if _, err := t.exec(qDeleteSteps, instanceID); err != nil {
		return err
	}
	_, err := t.exec(qDeleteEvents, instanceID)
	return err
}

func (t *tx) PutStep(s driver.Step) error {
	var attempts []byte
	if len(s.Attempts) > 0 {
		var err error
		if attempts, err = json.Marshal(s.Attempts); err != nil {
			return err
		}
	}
	en, em := errCols(s.Error)
	_, err := t.exec(qPutStep, s.InstanceID, string(s.Kind), s.Name, s.Occurrence, s.Seq, s.DoneSeq, string(s.State),
		s.Config, nanos(s.Start), nanos(s.End), nanos(s.WakeAt), s.EventType, s.Output, en, em, attempts)
	return err
}

func (t *tx) AddEvent(ev driver.Event) error {
	_, err := t.exec(qAddEvent, ev.InstanceID, ev.Type, ev.Payload, nanos(ev.Timestamp))
	return err
}

func (t *tx) TakeEvent(instanceID, eventType string) (driver.Event, bool, error) {
	var (
		seq int64
		ts  int64
		ev  = driver.Event{InstanceID: instanceID, Type: eventType}
	)
	err := t.stmt(qFirstEvent).QueryRowContext(t.ctx, instanceID, eventType).Scan(&seq, &ev.Payload, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return driver.Event{}, false, nil
	}
	if err != nil {
		return driver.Event{}, false, err
	}
	ev.Timestamp = fromNanos(ts)
	if _, err := t.exec(qDeleteEvent, seq); err != nil {
		return driver.Event{}, false, err
	}
	return ev, true, nil
}

func (t *tx) SetMeta(key, value string) error {
	_, err := t.exec(qSetMeta, key, value)
	return err
}
