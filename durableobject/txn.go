package durableobject

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Txn is the handle Transaction passes to its function (DO-037). Its operations are those of
// Storage, and so are direct Storage calls made inside the function: they all belong to the
// transaction. After Rollback, or once the function has returned, Txn refuses every call
// with the platform's message.
type Txn struct {
	s          *Storage
	rolledBack bool
	done       bool
}

func (t *Txn) check(op string) error {
	t.s.st.mu.Lock()
	defer t.s.st.mu.Unlock()
	if t.rolledBack {
		return fmt.Errorf("Cannot %s on rolled back transaction", op)
	}
	if t.done {
		return fmt.Errorf("Cannot call %s on transaction that has already committed: did you move `txn` outside of the closure?", op)
	}
	return nil
}

// Rollback discards the transaction's writes when the function returns; calling it twice is
// allowed.
func (t *Txn) Rollback() error {
	t.s.st.mu.Lock()
	rolled := t.rolledBack
	t.s.st.mu.Unlock()
	if rolled {
		return nil
	}
	if err := t.check("rollback"); err != nil {
		return err
	}
	t.s.st.mu.Lock()
	t.rolledBack = true
	t.s.st.mu.Unlock()
	return nil
}

// Get is Storage.Get inside the transaction.
func (t *Txn) Get(ctx context.Context, key string, v any) (bool, error) {
	if err := t.check("get"); err != nil {
		return false, err
	}
	return t.s.Get(ctx, key, v)
}

// GetMany is Storage.GetMany inside the transaction.
func (t *Txn) GetMany(ctx context.Context, keys []string) ([]Entry[json.RawMessage], error) {
	if err := t.check("get"); err != nil {
		return nil, err
	}
	return t.s.GetMany(ctx, keys)
}

// Put is Storage.Put inside the transaction.
func (t *Txn) Put(ctx context.Context, key string, v any, opts ...WriteOption) error {
	if err := t.check("put"); err != nil {
		return err
	}
	return t.s.Put(ctx, key, v, opts...)
}

// PutMany is Storage.PutMany inside the transaction.
func (t *Txn) PutMany(ctx context.Context, entries map[string]any, opts ...WriteOption) error {
	if err := t.check("put"); err != nil {
		return err
	}
	return t.s.PutMany(ctx, entries, opts...)
}

// Delete is Storage.Delete inside the transaction.
func (t *Txn) Delete(ctx context.Context, key string, opts ...WriteOption) (bool, error) {
	if err := t.check("delete"); err != nil {
		return false, err
	}
	return t.s.Delete(ctx, key, opts...)
}

// DeleteMany is Storage.DeleteMany inside the transaction.
func (t *Txn) DeleteMany(ctx context.Context, keys []string, opts ...WriteOption) (int, error) {
	if err := t.check("delete"); err != nil {
		return 0, err
	}
	return t.s.DeleteMany(ctx, keys, opts...)
}

// List is Storage.List inside the transaction.
func (t *Txn) List(ctx context.Context, opts ListOptions) ([]Entry[json.RawMessage], error) {
	if err := t.check("list"); err != nil {
		return nil, err
	}
	return t.s.List(ctx, opts)
}

// DeleteAll is refused inside a transaction (DO-036).
func (t *Txn) DeleteAll(context.Context) error { return ErrDeleteAllInTransaction }

// GetAlarm is Storage.GetAlarm inside the transaction.
func (t *Txn) GetAlarm(ctx context.Context) (time.Time, bool, error) {
	if err := t.check("getAlarm"); err != nil {
		return time.Time{}, false, err
	}
	return t.s.GetAlarm(ctx)
}

// SetAlarm is Storage.SetAlarm inside the transaction.
func (t *Txn) SetAlarm(ctx context.Context, at time.Time, opts ...WriteOption) error {
	if err := t.check("setAlarm"); err != nil {
		return err
	}
	return t.s.SetAlarm(ctx, at, opts...)
}

// DeleteAlarm is Storage.DeleteAlarm inside the transaction.
func (t *Txn) DeleteAlarm(ctx context.Context, opts ...WriteOption) error {
	if err := t.check("deleteAlarm"); err != nil {
		return err
	}
	return t.s.DeleteAlarm(ctx, opts...)
}

// Transaction runs fn so that its writes commit together or not at all (DO-037): returning an
// error, panicking or calling txn.Rollback discards them; transactions nest. Called from
// outside the object's events (a goroutine of its own), it runs as an event of its own.
func (s *Storage) Transaction(ctx context.Context, fn func(txn *Txn) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !s.o.mayRunInline(ctx) {
		_, err := s.o.runBlock(ctx, func(context.Context) error { return s.transaction(fn) })
		return err
	}
	return s.transaction(fn)
}

// TransactionSync is Transaction for code that needs no Txn handle (the platform's
// transactionSync, DO-038): fn's writes, KV and SQL, commit together, an error or panic rolls
// them back, and a nested call rolls back only its own part. SQLite-backed classes only.
func (s *Storage) TransactionSync(ctx context.Context, fn func() error) error {
	if s.o.ns.legacyKV {
		return ErrNotSQLBacked
	}
	return s.Transaction(ctx, func(*Txn) error { return fn() })
}

func (s *Storage) transaction(fn func(*Txn) error) (err error) {
	st := s.st
	st.mu.Lock()
	depth := len(st.sps)
	st.sps = append(st.sps, savepoint{name: fmt.Sprintf("_cf_txn_%d", depth), mark: len(st.undo), txn: true})
	st.mu.Unlock()
	txn := &Txn{s: s}
	defer func() {
		p := recover()
		st.mu.Lock()
		for len(st.sps) > depth+1 { // a nested transaction left open by a panic
			st.popRollback()
		}
		if len(st.sps) == depth+1 {
			if p != nil || err != nil || txn.rolledBack {
				st.popRollback()
			} else if rerr := st.popRelease(); rerr != nil {
				err = rerr
			}
		}
		txn.done = true
		st.mu.Unlock()
		if p != nil {
			panic(p)
		}
	}()
	return fn(txn)
}
