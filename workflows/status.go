package workflows

import (
	"encoding/json"
	"errors"

	"github.com/flarego/flarego/workflows/driver"
)

// Status is an instance's status; the values are the platform's (WF-007).
type Status = driver.Status

// Instance statuses.
const (
	StatusQueued          = driver.StatusQueued
	StatusRunning         = driver.StatusRunning
	StatusPaused          = driver.StatusPaused
	StatusErrored         = driver.StatusErrored
	StatusTerminated      = driver.StatusTerminated
	StatusComplete        = driver.StatusComplete
	StatusWaiting         = driver.StatusWaiting
	StatusWaitingForPause = driver.StatusWaitingForPause
	StatusUnknown         = driver.StatusUnknown
)

// ErrorInfo is an error as stored and reported: {name, message}.
type ErrorInfo = driver.ErrorInfo

// InstanceStatus is what Instance.Status returns: the platform's status() result, with the
// local engine's step outputs. It marshals to the same JSON as the platform's local runtime:
// {"status":…,"__LOCAL_DEV_STEP_OUTPUTS":[…],"output":…,"error":{…}}.
type InstanceStatus struct {
	// Status is the instance's status.
	Status Status `json:"status"`
	// StepOutputs lists, in the order they finished, the results of completed do steps and
	// the payloads of received events (WF-032). Never nil.
	StepOutputs []json.RawMessage `json:"__LOCAL_DEV_STEP_OUTPUTS"`
	// Output is run's result as JSON once complete, else nil (null in JSON).
	Output json.RawMessage `json:"output"`
	// Error is set when the instance is errored.
	Error *ErrorInfo `json:"error,omitempty"`
}

// errNoOutput is returned by DecodeOutput before the instance is complete.
var errNoOutput = errors.New("workflows: instance has no output (not complete)")

// DecodeOutput decodes s.Output into O. It fails when the instance is not complete.
func DecodeOutput[O any](s InstanceStatus) (O, error) {
	var o O
	if s.Status != StatusComplete || s.Output == nil {
		return o, errNoOutput
	}
	err := json.Unmarshal(s.Output, &o)
	return o, err
}
