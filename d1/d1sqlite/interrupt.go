package d1sqlite

import (
	"context"
	"database/sql/driver"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Statements are stopped when their context ends, or when they run past the query timeout,
// with sqlite3_interrupt, sent by a watchdog that looks at the running statements a few
// times a second. The modernc driver can stop a statement itself for any context it is
// given, but it starts a goroutine and installs a progress handler for every call, which
// costs more than a primary-key lookup; a timer or context.AfterFunc per statement costs a
// good part of one too. So the driver is given context.Background, and a statement pays a
// lock and a clock read. The connection's sqlite3 handle is an unexported field, found by
// name and type when the connection is taken (TestQueryTimeout_D1027 fails if that ever
// stops working).

// handleOf returns the sqlite3* of a modernc connection, or 0.
func handleOf(dc driver.Conn) uintptr {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return 0
	}
	f, ok := v.Elem().Type().FieldByName("db")
	if !ok || f.Type.Kind() != reflect.Uintptr {
		return 0
	}
	return *(*uintptr)(unsafe.Add(v.UnsafePointer(), f.Offset))
}

// interrupt stops the statements running on the connection. It is safe from any goroutine:
// sqlite3_interrupt only sets a flag, and gets a TLS of its own. An interrupt that arrives
// after the statement ended is cleared when the next one starts.
func (c *conn) interrupt() {
	if c.handle == 0 {
		return
	}
	tls := libc.NewTLS()
	sqlite3.Xsqlite3_interrupt(tls, c.handle)
	tls.Close()
}

// running is the statement a connection is running, for the watchdog.
type running struct {
	mu      sync.Mutex
	ctx     context.Context // nil when idle
	started int64           // Unix nanoseconds
	cause   error           // why the watchdog interrupted it
}

// begin marks the start of a statement that ctx may end.
func (c *conn) begin(ctx context.Context) {
	c.run.mu.Lock()
	c.run.ctx, c.run.started, c.run.cause = ctx, time.Now().UnixNano(), nil
	c.run.mu.Unlock()
}

// end marks the statement's end and returns why it was interrupted, if it was. An
// interrupt can only be sent between begin and end, so it never reaches the next statement.
func (c *conn) end() error {
	c.run.mu.Lock()
	cause := c.run.cause
	c.run.ctx, c.run.cause = nil, nil
	c.run.mu.Unlock()
	return cause
}

// check interrupts the running statement if its context ended or it ran past timeout.
func (c *conn) check(now int64, timeout time.Duration) {
	c.run.mu.Lock()
	defer c.run.mu.Unlock()
	if c.run.ctx == nil || c.run.cause != nil {
		return
	}
	if err := c.run.ctx.Err(); err != nil {
		c.run.cause = err
	} else if timeout > 0 && time.Duration(now-c.run.started) > timeout {
		c.run.cause = context.DeadlineExceeded
	}
	if c.run.cause != nil {
		c.interrupt()
	}
}

// watchdog checks every connection's statement until the driver closes.
func (d *Driver) watchdog() {
	interval := 250 * time.Millisecond
	if d.timeout > 0 {
		interval = min(interval, d.timeout/4)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-d.done:
			return
		case now := <-t.C:
			for _, c := range d.all {
				c.check(now.UnixNano(), d.timeout)
			}
		}
	}
}
