package r2

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// EventType is a kind of event notification rule.
type EventType string

// The platform's event types.
const (
	// EventObjectCreate fires for PutObject, CopyObject and CompleteMultipartUpload.
	EventObjectCreate EventType = "object-create"
	// EventObjectDelete fires for DeleteObject.
	EventObjectDelete EventType = "object-delete"
)

// The actions an Event reports.
const (
	ActionPutObject               = "PutObject"
	ActionCopyObject              = "CopyObject"
	ActionCompleteMultipartUpload = "CompleteMultipartUpload"
	ActionDeleteObject            = "DeleteObject"
	ActionLifecycleDeletion       = "LifecycleDeletion"
)

// Event is the body of an event notification message, as the platform sends it to a
// queue. Its JSON encoding is the platform's message shape: account, action, bucket,
// object {key, size, eTag} (size and eTag only for object-create actions), eventTime
// (ISO 8601 with milliseconds) and, for CopyObject, copySource.
type Event struct {
	Account    string
	Action     string
	Bucket     string
	Object     EventObject
	EventTime  time.Time
	CopySource *CopySource
}

// EventObject is the object an Event is about.
type EventObject struct {
	Key  string
	Size int64
	ETag string
}

// CopySource names the source of a CopyObject.
type CopySource struct {
	Bucket string `json:"bucket"`
	Object string `json:"object"`
}

// Type is the event type the event's action belongs to.
func (e Event) Type() EventType {
	if e.Action == ActionDeleteObject || e.Action == ActionLifecycleDeletion {
		return EventObjectDelete
	}
	return EventObjectCreate
}

// MarshalJSON encodes the platform's message shape.
func (e Event) MarshalJSON() ([]byte, error) {
	type object struct {
		Key  string `json:"key"`
		Size *int64 `json:"size,omitempty"`
		ETag string `json:"eTag,omitempty"`
	}
	out := struct {
		Account    string      `json:"account"`
		Action     string      `json:"action"`
		Bucket     string      `json:"bucket"`
		Object     object      `json:"object"`
		EventTime  string      `json:"eventTime"`
		CopySource *CopySource `json:"copySource,omitempty"`
	}{
		Account: e.Account, Action: e.Action, Bucket: e.Bucket,
		Object:     object{Key: e.Object.Key},
		EventTime:  e.EventTime.UTC().Format("2006-01-02T15:04:05.000Z"),
		CopySource: e.CopySource,
	}
	if e.Type() == EventObjectCreate {
		size := e.Object.Size
		out.Object.Size, out.Object.ETag = &size, e.Object.ETag
	}
	return json.Marshal(out)
}

// UnmarshalJSON decodes the platform's message shape.
func (e *Event) UnmarshalJSON(b []byte) error {
	var in struct {
		Account string `json:"account"`
		Action  string `json:"action"`
		Bucket  string `json:"bucket"`
		Object  struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
			ETag string `json:"eTag"`
		} `json:"object"`
		EventTime  time.Time   `json:"eventTime"`
		CopySource *CopySource `json:"copySource"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*e = Event{Account: in.Account, Action: in.Action, Bucket: in.Bucket,
		Object:    EventObject{Key: in.Object.Key, Size: in.Object.Size, ETag: in.Object.ETag},
		EventTime: in.EventTime, CopySource: in.CopySource}
	return nil
}

// Notifier delivers event notifications to a queue; the runner connects it to its
// queues. Notify's error is logged, never returned to the writer: the write it reports
// has already happened.
type Notifier interface {
	Notify(ctx context.Context, queue string, ev Event) error
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, queue string, ev Event) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, queue string, ev Event) error {
	return f(ctx, queue, ev)
}

// NotificationRule sends a bucket's events of some types, for keys with a prefix and a
// suffix, to a queue, as `wrangler r2 bucket notification create` configures.
type NotificationRule struct {
	// Queue is the name of the queue that receives the messages.
	Queue string
	// Events are the event types the rule sends; empty means both.
	Events []EventType
	// Prefix and Suffix filter keys; empty matches any.
	Prefix, Suffix string
	// Description is free text.
	Description string
}

func (r NotificationRule) matches(ev *Event) bool {
	if !strings.HasPrefix(ev.Object.Key, r.Prefix) || !strings.HasSuffix(ev.Object.Key, r.Suffix) {
		return false
	}
	if len(r.Events) == 0 {
		return true
	}
	for _, t := range r.Events {
		if t == ev.Type() {
			return true
		}
	}
	return false
}

type notifications struct {
	n     Notifier
	rules []NotificationRule
}

// SetNotifications routes the bucket's events through n by rules, replacing any earlier
// setting; a nil n turns notifications off.
func (b *Bucket) SetNotifications(n Notifier, rules ...NotificationRule) {
	if n == nil {
		b.events.Store(nil)
		return
	}
	b.events.Store(&notifications{n: n, rules: append([]NotificationRule(nil), rules...)})
}

// notify delivers the event of a completed write. Delivery runs on a fresh context: the
// message is the platform's doing, not a subrequest of the caller's invocation.
func (b *Bucket) notify(_ context.Context, action string, rec *Record, src *CopySource) {
	cfg := b.events.Load()
	if cfg == nil {
		return
	}
	ev := Event{
		Account:    b.opts.AccountID,
		Action:     action,
		Bucket:     b.opts.Name,
		Object:     EventObject{Key: rec.Key, Size: rec.Size, ETag: rec.ETag},
		EventTime:  time.Now(),
		CopySource: src,
	}
	for _, r := range cfg.rules {
		if !r.matches(&ev) {
			continue
		}
		if err := cfg.n.Notify(context.Background(), r.Queue, ev); err != nil {
			b.opts.Logger.Warn("r2: event notification not delivered",
				"bucket", b.opts.Name, "queue", r.Queue, "action", action, "key", rec.Key, "error", err)
		}
	}
}
