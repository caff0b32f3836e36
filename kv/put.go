package kv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unsafe"
)

// Put stores value under key, replacing any value, metadata and expiration the key had
// (KV-017). A nil or empty value stores the empty value (KV-009). It returns once the write
// is durable for the driver. Errors: the key checks of Get, then *Error for an invalid
// expiration (KV-012..014), metadata over 1024 bytes (KV-011) or a value over 25 MiB (KV-010).
func (ns *Namespace) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	if err := ns.begin(ctx); err != nil {
		return err
	}
	r, err := ns.prepare(key, opts)
	if err != nil {
		return err
	}
	if len(value) > MaxValueSize {
		return valueTooLarge(int64(len(value)))
	}
	r.Value = value
	return ns.write(ctx, r)
}

// PutString is Put with a string value.
func (ns *Namespace) PutString(ctx context.Context, key, value string, opts ...PutOption) error {
	// Drivers never modify or keep a value, so the string's bytes can be lent without a copy.
	return ns.Put(ctx, key, unsafe.Slice(unsafe.StringData(value), len(value)), opts...)
}

// PutJSON is Put with v serialised as JSON.
func (ns *Namespace) PutJSON(ctx context.Context, key string, v any, opts ...PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv: value of %q is not JSON-serialisable: %w", key, err)
	}
	return ns.Put(ctx, key, b, opts...)
}

// PutReader is Put with the value read from r to its end (a ReadableStream on the platform).
// At most MaxValueSize bytes are buffered: a longer stream is read to its end to be measured
// and refused with the platform's error, which gives its full length (KV-010). When r reports
// its length (Len() int, as bytes.Reader and strings.Reader do), an oversized value is
// refused before reading. A nil r gives ErrInvalidValue (KV-008).
func (ns *Namespace) PutReader(ctx context.Context, key string, r io.Reader, opts ...PutOption) error {
	if err := ns.begin(ctx); err != nil {
		return err
	}
	if err := validateKey(opPut, key); err != nil {
		return err
	}
	if r == nil {
		return ErrInvalidValue
	}
	rec, err := ns.prepare(key, opts)
	if err != nil {
		return err
	}
	if rec.Value, err = readValue(r); err != nil {
		return err
	}
	return ns.write(ctx, rec)
}

// Delete removes key. Deleting a missing key is not an error (KV-019). Key errors are those
// of Get, reported for "DELETE".
func (ns *Namespace) Delete(ctx context.Context, key string) error {
	if err := ns.begin(ctx); err != nil {
		return err
	}
	if err := validateKey(opDelete, key); err != nil {
		return err
	}
	return driverError(opDelete, ns.d.Delete(ctx, key))
}

// prepare validates a put's key and options in the platform's order and builds its record,
// without the value.
func (ns *Namespace) prepare(key string, opts []PutOption) (Record, error) {
	if err := validateKey(opPut, key); err != nil {
		return Record{}, err
	}
	r := Record{Key: key}
	if len(opts) == 0 {
		return r, nil
	}
	var o putOptions
	for _, opt := range opts {
		opt(&o)
	}
	var err error
	if r.Expiration, err = o.resolveExpiration(time.Now()); err != nil {
		return Record{}, err
	}
	if o.metadataSet && o.metadata != nil {
		if r.Metadata, err = marshalMetadata(o.metadata); err != nil {
			return Record{}, err
		}
		if err := validateMetadataSize(r.Metadata); err != nil {
			return Record{}, err
		}
	}
	return r, nil
}

func (ns *Namespace) write(ctx context.Context, r Record) error {
	if r.Value == nil {
		r.Value = []byte{}
	}
	if err := ns.d.Put(ctx, r); err != nil {
		return driverError(opPut, err)
	}
	if r.Expiration != 0 {
		ns.schedulePurge(time.Unix(r.Expiration, 0))
	}
	return nil
}

// marshalMetadata serialises metadata the way JSON.stringify does: compact, without
// escaping <, > and &, so that the 1024-byte limit counts what the platform counts.
func marshalMetadata(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("kv: metadata is not JSON-serialisable: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if string(b) == "null" {
		return nil, nil // null metadata is no metadata, as on the platform
	}
	return b, nil
}

// readValue reads r to its end, buffering at most MaxValueSize bytes.
func readValue(r io.Reader) ([]byte, error) {
	size := 512
	if l, ok := r.(interface{ Len() int }); ok {
		if n := l.Len(); n > MaxValueSize {
			return nil, valueTooLarge(int64(n))
		} else if n >= 0 {
			size = n + 1 // room to see EOF without growing
		}
	}
	buf := make([]byte, 0, min(size, MaxValueSize+1))
	for {
		if len(buf) == cap(buf) {
			if len(buf) > MaxValueSize {
				// Over the limit: measure the rest without keeping it.
				rest, err := io.Copy(io.Discard, r)
				if err != nil {
					return nil, err
				}
				return nil, valueTooLarge(int64(len(buf)) + rest)
			}
			grown := make([]byte, len(buf), min(2*cap(buf)+512, MaxValueSize+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if len(buf) > MaxValueSize {
				return nil, valueTooLarge(int64(len(buf)))
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
