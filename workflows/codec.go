package workflows

import (
	"bytes"
	"encoding/json"
	"time"
)

// marshal encodes v as JSON without HTML escaping, so stored values read as written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// storedEvent is how a received event is stored as a waitForEvent step's output.
type storedEvent struct {
	Payload   json.RawMessage `json:"payload"`
	Timestamp time.Time       `json:"timestamp"`
	Type      string          `json:"type"`
}
