package r2

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors of bucket management.
var (
	ErrNoSuchBucket      = errors.New("r2: the specified bucket does not exist")
	ErrBucketExists      = errors.New("r2: the bucket already exists")
	ErrBucketNotEmpty    = errors.New("r2: the bucket is not empty")
	ErrInvalidBucketName = errors.New("r2: invalid bucket name")
)

// BucketInfo describes a bucket of a Store.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// ValidBucketName reports whether name can name a bucket: 1 to 63 ASCII letters, digits,
// '-', '_' or '.', not starting with '.'. The platform's own rule (3 to 63 lowercase
// letters, digits and hyphens) is stricter; this one only guarantees that a name is one
// safe path element.
func ValidBucketName(name string) bool {
	if len(name) == 0 || len(name) > 63 || name[0] == '.' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// StoreBackend is where a Store keeps its buckets: the memory backend or a directory of
// disk buckets.
type StoreBackend interface {
	// Open returns bucket name's driver, creating its storage when create is true;
	// ErrNoSuchBucket when it is missing and create is false.
	Open(name string, create bool) (Driver, error)
	// List returns the existing buckets.
	List() ([]BucketInfo, error)
	// Remove deletes the storage of a closed bucket.
	Remove(name string) error
}

// Store holds the buckets of one runner, opened on first use and shared by every
// binding and the S3 API, so all of them see the same data. It is safe for
// concurrent use.
type Store struct {
	backend StoreBackend
	opts    Options
	mu      sync.Mutex
	open    map[string]*Bucket
	closed  bool
}

// NewStore returns a store over backend. opts apply to every bucket, each with its own
// Name.
func NewStore(backend StoreBackend, opts Options) *Store {
	return &Store{backend: backend, opts: opts, open: map[string]*Bucket{}}
}

// NewMemoryStore returns a store whose buckets live in memory.
func NewMemoryStore(opts Options) *Store { return NewStore(&memBackend{}, opts) }

// Bucket returns bucket name, creating it when missing: what a binding declared in the
// config gets. It returns at once: the bucket's storage opens (or is created) in the
// background and its first operation waits for that, or returns its error.
func (s *Store) Bucket(ctx context.Context, name string) (*Bucket, error) {
	return s.get(name, true, true)
}

// Lookup returns an existing bucket, or ErrNoSuchBucket.
func (s *Store) Lookup(ctx context.Context, name string) (*Bucket, error) {
	return s.get(name, false, false)
}

// get returns bucket name from the open ones, or opens it (creating it when create says
// so; in the background when later says so).
func (s *Store) get(name string, create, later bool) (*Bucket, error) {
	if !ValidBucketName(name) {
		if create {
			return nil, ErrInvalidBucketName
		}
		return nil, ErrNoSuchBucket
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if b := s.open[name]; b != nil {
		return b, nil
	}
	opts := s.opts
	opts.Name = name
	var b *Bucket
	if later {
		log := s.opts.Logger
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		b = NewDeferred(func() (Driver, error) {
			d, err := s.backend.Open(name, true)
			if err != nil {
				log.Error("r2: open bucket", "bucket", name, "error", err)
				return nil, err
			}
			return d, nil
		}, opts)
	} else {
		d, err := s.backend.Open(name, create)
		if err != nil {
			return nil, err
		}
		b = New(d, opts)
	}
	s.open[name] = b
	return b, nil
}

// Create makes a new bucket; ErrBucketExists when it exists.
func (s *Store) Create(ctx context.Context, name string) (*Bucket, error) {
	if !ValidBucketName(name) {
		return nil, ErrInvalidBucketName
	}
	if _, err := s.Lookup(ctx, name); err == nil {
		return nil, ErrBucketExists
	} else if !errors.Is(err, ErrNoSuchBucket) {
		return nil, err
	}
	return s.get(name, true, false)
}

// DeleteBucket removes an empty bucket: ErrBucketNotEmpty when it holds objects,
// ErrNoSuchBucket when missing.
func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	b, err := s.Lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := b.later.Wait(ctx); err != nil {
		return err
	}
	page, err := b.list(ctx, &ListOptions{Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 || len(page.DelimitedPrefixes) > 0 {
		return ErrBucketNotEmpty
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, name)
	if err := b.Close(); err != nil {
		return err
	}
	return s.backend.Remove(name)
}

// List returns the buckets in name order.
func (s *Store) List(ctx context.Context) ([]BucketInfo, error) {
	infos, err := s.backend.List()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(infos, func(a, b BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	return infos, nil
}

// Close closes every open bucket. The store is unusable afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var errs []error
	for _, b := range s.open {
		errs = append(errs, b.Close())
	}
	s.open = nil
	return errors.Join(errs...)
}

// memBackend keeps drivers in memory.
type memBackend struct {
	mu      sync.Mutex
	drivers map[string]Driver
	created map[string]time.Time
}

func (m *memBackend) Open(name string, create bool) (Driver, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := m.drivers[name]; d != nil {
		return d, nil
	}
	if !create {
		return nil, ErrNoSuchBucket
	}
	if m.drivers == nil {
		m.drivers, m.created = map[string]Driver{}, map[string]time.Time{}
	}
	d := NewMemoryDriver()
	m.drivers[name], m.created[name] = d, time.Now()
	return d, nil
}

func (m *memBackend) List() ([]BucketInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []BucketInfo
	for name, t := range m.created {
		out = append(out, BucketInfo{Name: name, Created: t})
	}
	return out, nil
}

func (m *memBackend) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.drivers, name)
	delete(m.created, name)
	return nil
}
