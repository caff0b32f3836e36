package workflows

import "time"

// Event is what run receives (WF-001): the instance's parameters and identity. Payload is
// decoded afresh for every run, so changes run makes to it are not kept.
type Event[P any] struct {
	// Payload is the params the instance was created with.
	Payload P `json:"payload"`
	// Timestamp is when the instance was created.
	Timestamp time.Time `json:"timestamp"`
	// InstanceID is the instance's id.
	InstanceID string `json:"instanceId"`
	// WorkflowName is the workflow's name (as the local runtime gives it).
	WorkflowName string `json:"workflowName"`
}

// StepEvent is an event received by WaitForEvent (WF-027).
type StepEvent[T any] struct {
	// Payload is the payload given to SendEvent, decoded as T.
	Payload T `json:"payload"`
	// Timestamp is when the event was sent.
	Timestamp time.Time `json:"timestamp"`
	// Type is the event's type.
	Type string `json:"type"`
}
