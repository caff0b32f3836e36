package env

import (
	"fmt"
	"log/slog"
)

// Secret is a secret value from .dev.vars or .env. It never prints: fmt verbs, JSON and
// slog show "[REDACTED]". Reveal returns the value. The zero Secret is empty.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

const redacted = "[REDACTED]"

// String implements fmt.Stringer without revealing the value.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer without revealing the value.
func (Secret) GoString() string { return "env.Secret{" + redacted + "}" }

// Format implements fmt.Formatter, so that every verb (%v, %+v, %s, %q, %x …) is redacted.
func (Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, redacted) }

// MarshalJSON implements json.Marshaler without revealing the value.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler without revealing the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer without revealing the value.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
