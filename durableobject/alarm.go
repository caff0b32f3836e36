package durableobject

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/flarego/flarego/worker"
)

const (
	// alarmMaxRetries is how many times a failing alarm is retried (DO-058).
	alarmMaxRetries = 6
	// alarmFirstBackoff is the first retry's delay; each retry doubles it.
	alarmFirstBackoff = 2 * time.Second
	// alarmWall is the alarm handler's wall-clock limit (DO-060).
	alarmWall = 15 * time.Minute
)

// alarmChange is an alarm set or deleted by a turn and not yet committed.
type alarmChange struct {
	set      bool
	at       time.Time
	retry    int
	explicit bool // by the object's code, not by the alarm run clearing its own alarm
}

// alarmFire is one firing handed to an object.
type alarmFire struct {
	at    time.Time
	retry int
}

// errAlarmStale ends an alarm event whose alarm was changed after it was dispatched.
var errAlarmStale = errors.New("durableobject: alarm changed before it ran")

// alarmSched keeps the committed alarms of one namespace, a heap by time and one timer for
// the soonest. Firing only hands an event to the object, so alarms of different objects never
// wait on each other.
type alarmSched struct {
	ns *NamespaceHandle

	mu      sync.Mutex
	byID    map[[32]byte]*alarmEntry
	heap    alarmHeap
	timer   *time.Timer
	running bool
}

type alarmEntry struct {
	id    ID
	at    time.Time
	retry int
	pos   int // index in the heap, -1 once dispatched
}

type alarmHeap []*alarmEntry

func (h alarmHeap) Len() int           { return len(h) }
func (h alarmHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h alarmHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i, j
}
func (h *alarmHeap) Push(x any) {
	e := x.(*alarmEntry)
	e.pos = len(*h)
	*h = append(*h, e)
}
func (h *alarmHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.pos = -1
	return e
}

func newAlarmSched(ns *NamespaceHandle) *alarmSched {
	return &alarmSched{ns: ns, byID: map[[32]byte]*alarmEntry{}}
}

// load adds the alarms stored in the index (at start-up).
func (s *alarmSched) load(rows []indexRow) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rows {
		if r.alarm == nil {
			continue
		}
		id, err := s.ns.nsk.parse(r.id)
		if err != nil {
			continue
		}
		id.name = r.name
		s.setLocked(id, *r.alarm, r.retry)
	}
	return nil
}

func (s *alarmSched) start() {
	s.mu.Lock()
	s.running = true
	s.armLocked()
	s.mu.Unlock()
}

func (s *alarmSched) stop() {
	s.mu.Lock()
	s.running = false
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
}

// get returns the committed alarm of an object.
func (s *alarmSched) get(id ID) (at time.Time, retry int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byID[id.b]; e != nil {
		return e.at, e.retry, true
	}
	return time.Time{}, 0, false
}

// apply records a committed change.
func (s *alarmSched) apply(id ID, ch *alarmChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch.set {
		s.setLocked(id, ch.at, ch.retry)
	} else if e := s.byID[id.b]; e != nil {
		if e.pos >= 0 {
			heap.Remove(&s.heap, e.pos)
		}
		delete(s.byID, id.b)
	}
	s.armLocked()
}

func (s *alarmSched) setLocked(id ID, at time.Time, retry int) {
	e := s.byID[id.b]
	if e == nil {
		e = &alarmEntry{id: id, pos: -1}
		s.byID[id.b] = e
	}
	if id.name != "" {
		e.id = id
	}
	e.at, e.retry = at, retry
	if e.pos >= 0 {
		heap.Fix(&s.heap, e.pos)
	} else {
		heap.Push(&s.heap, e)
	}
}

func (s *alarmSched) armLocked() {
	if !s.running {
		return
	}
	if len(s.heap) == 0 {
		if s.timer != nil {
			s.timer.Stop()
		}
		return
	}
	d := time.Until(s.heap[0].at)
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.fire)
	} else {
		s.timer.Reset(d)
	}
}

// fire dispatches every alarm that is due. Dispatched alarms leave the heap but stay
// committed until their run commits; a run whose alarm changed meanwhile does nothing.
func (s *alarmSched) fire() {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return
	}
	now := time.Now()
	var due []alarmEntry
	for len(s.heap) > 0 && !s.heap[0].at.After(now) {
		e := heap.Pop(&s.heap).(*alarmEntry)
		due = append(due, *e)
	}
	s.armLocked()
	s.mu.Unlock()
	for _, e := range due {
		if err := s.ns.dispatchAlarm(e.id, alarmFire{at: e.at, retry: e.retry}); err != nil && !errors.Is(err, ErrClosed) {
			s.ns.engine.log.Error("durable object: dispatch alarm", "class", s.ns.class.Name, "id", e.id.String(), "error", err)
		}
	}
}

// dispatchAlarm hands one firing to the object, constructing it if needed.
func (ns *NamespaceHandle) dispatchAlarm(id ID, fire alarmFire) error {
	for {
		o := ns.object(id)
		ev := &event{kind: evAlarm, alarm: fire, wall: alarmWall, run: func(inst any, ctx *worker.Context) (any, error) {
			if !o.st.startAlarm(fire) {
				return nil, errAlarmStale
			}
			a, ok := inst.(Alarmer)
			if !ok {
				ns.engine.log.Error("durable object has an alarm but no Alarm method; alarm dropped", "class", ns.class.Name, "id", id.String())
				return nil, nil
			}
			info := AlarmInfo{RetryCount: fire.retry, IsRetry: fire.retry > 0, ScheduledTime: fire.at}
			if err := a.Alarm(ctx, info); err != nil {
				return nil, remote(err)
			}
			return nil, nil
		}}
		err := o.enqueue(ev, false)
		if err == errDead {
			continue
		}
		return err
	}
}

// startAlarm begins an alarm run: the alarm is cleared for the handler (getAlarm returns nil
// inside it, DO-056) unless it changed since it was dispatched, in which case there is
// nothing to run.
func (st *store) startAlarm(fire alarmFire) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	at, ok := st.alarmLocked()
	if !ok || !at.Equal(fire.at) {
		return false
	}
	st.setAlarmChange(&alarmChange{set: false})
	return true
}

// afterAlarm applies the retry policy once an alarm run ended (DO-058): a failed run is
// retried with exponential backoff unless the handler set or deleted the alarm itself (a
// panic undoes that, so a panicking handler is always retried).
func (o *object) afterAlarm(ev *event, err error, reset bool) {
	if errors.Is(err, errAlarmStale) || (err == nil && !reset) {
		return
	}
	st := o.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if !reset && st.alarm != nil && st.alarm.explicit {
		return
	}
	fire := ev.alarm
	e := o.ns.engine
	var ae *AbortError
	if errors.As(err, &ae) && ae.noRetry {
		st.alarm = &alarmChange{set: false}
		return
	}
	if fire.retry >= alarmMaxRetries {
		e.log.Error("durable object alarm failed; giving up after retries", "class", o.ns.class.Name, "id", o.id.String(), "retries", fire.retry, "error", err)
		st.alarm = &alarmChange{set: false}
		return
	}
	backoff := alarmFirstBackoff << fire.retry
	e.log.Warn("durable object alarm failed; will retry", "class", o.ns.class.Name, "id", o.id.String(), "retry", fire.retry+1, "in", backoff, "error", err)
	st.alarm = &alarmChange{set: true, at: msTime(time.Now().Add(backoff)), retry: fire.retry + 1}
}

// alarmLocked is the alarm as the object sees it: the uncommitted change, else the committed
// one. st.mu is held.
func (st *store) alarmLocked() (time.Time, bool) {
	if st.alarm != nil {
		return st.alarm.at, st.alarm.set
	}
	at, _, ok := st.o.ns.alarms.get(st.o.id)
	return at, ok
}

// setAlarmChange records a change, undoable by the enclosing savepoint. st.mu is held.
func (st *store) setAlarmChange(ch *alarmChange) {
	if len(st.sps) > 0 {
		st.undo = append(st.undo, undoRec{kind: undoAlarm, alarm: st.alarm})
	}
	st.alarm = ch
}

// msTime rounds t to the platform's alarm precision and drops its monotonic reading.
func msTime(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()) }

// GetAlarm returns the object's alarm, if one is set (DO-054). Inside the alarm handler it
// reports none unless the handler set a new one (DO-056).
func (s *Storage) GetAlarm(ctx context.Context) (t time.Time, ok bool, err error) {
	if err := s.check(ctx); err != nil {
		return time.Time{}, false, err
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok = st.alarmLocked()
	return t, ok, nil
}

// SetAlarm sets the object's one alarm, replacing any other (DO-054). A time at or before the
// Unix epoch is refused with ErrAlarmTime; a time in the past fires at once (DO-055). The
// alarm is durable, and survives restarts, once the turn commits (DO-061); it is kept to
// millisecond precision.
func (s *Storage) SetAlarm(ctx context.Context, t time.Time, opts ...WriteOption) error {
	if t.UnixMilli() <= 0 {
		return ErrAlarmTime
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	if now := time.Now(); t.Before(now) {
		t = now
	}
	o := writeOptions(opts)
	return s.st.do(func() error {
		s.st.setAlarmChange(&alarmChange{set: true, at: msTime(t), explicit: true})
		s.st.markWrite(o.allowUnconfirmed)
		return nil
	})
}

// DeleteAlarm deletes the object's alarm, if any (DO-054). Inside the alarm handler it also
// stops the retries of a failing run, as far as the run does not panic (DO-058).
func (s *Storage) DeleteAlarm(ctx context.Context, opts ...WriteOption) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	o := writeOptions(opts)
	return s.st.do(func() error {
		s.st.setAlarmChange(&alarmChange{set: false, explicit: true})
		s.st.markWrite(o.allowUnconfirmed)
		return nil
	})
}
