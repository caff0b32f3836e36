package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flarego/flarego/workflows/driver"
)

func (p *pass) do(name string, cfg StepConfig, fn func(context.Context) ([]byte, error)) ([]byte, error) {
	limit := p.e.o.StepLimit
	p.mu.Lock()
	if err := p.halted(); err != nil {
		p.mu.Unlock()
		return nil, err
	}
	p.doCount++
	var fatal *Error
	switch {
	case p.doCount > limit:
		fatal = fatalf("The limit of %d steps has been reached. This limit can be changed in your worker configuration.", limit)
	case !validStepName(name):
		fatal = fatalf("Step name \"%s\" exceeds max length (%d chars) or invalid characters found", name, MaxStepNameLength)
	case !validConfig(cfg):
		fatal = fatalf("Step config for \"%s\" is in a invalid format. See https://developers.cloudflare.com/workflows/build/sleeping-and-retrying/", name)
	case fn == nil:
		fatal = fatalf("Step \"%s\" requires a callback function", name)
	}
	if fatal != nil {
		err := p.setFatal(fatal)
		p.mu.Unlock()
		return nil, err
	}
	key := p.next(driver.KindDo, name)
	st, have := p.steps[key]
	p.mu.Unlock()

	if have {
		switch st.State {
		case driver.StepComplete:
			return st.Output, nil
		case driver.StepErrored:
			return nil, fromInfo(st.Error, nil)
		}
	}
	if err := p.checkStopped(); err != nil {
		return nil, err
	}
	// The configuration is fixed at the first attempt; later runs use the stored one.
	var (
		rc      resolvedConfig
		cfgJSON []byte
	)
	if have && len(st.Config) > 0 {
		var err error
		if rc, err = decodeConfig(st.Config); err != nil {
			return nil, p.writeErr(fmt.Errorf("step %q: stored config: %w", name, err))
		}
		cfgJSON = st.Config
	} else {
		rc = resolve(cfg, p.e.o.RetryDelay)
		cfgJSON, _ = marshal(rc)
	}

	for {
		now := time.Now()
		if have && st.State == driver.StepWaiting && now.Before(st.WakeAt) {
			return nil, p.suspend(st.WakeAt) // retry delay still running
		}
		if p.pausePending.Load() {
			return nil, p.pauseStop() // no new work once a pause is pending
		}
		s := cloneStep(st)
		if !have {
			s = driver.Step{InstanceID: p.id, Kind: driver.KindDo, Name: name, Occurrence: key.occ,
				Seq: p.nextSeq(), Start: now, Config: cfgJSON}
		}
		if n := len(s.Attempts); n > 0 && s.Attempts[n-1].End.IsZero() {
			// The process stopped during this attempt: it failed.
			s.Attempts[n-1].End = now
			s.Attempts[n-1].Error = &ErrorInfo{Name: NameInternal, Message: "Attempt failed due to internal workflows error"}
			if n > rc.Retries.Limit {
				s.State, s.Error, s.End = driver.StepErrored, s.Attempts[n-1].Error, now
				if _, err := p.update(func(tx driver.Tx) error { return tx.PutStep(s) }); err != nil {
					return nil, p.writeErr(err)
				}
				p.cache(key, s)
				return nil, fromInfo(s.Error, nil)
			}
		}
		s.Attempts = append(s.Attempts, driver.Attempt{Start: now})
		s.State, s.WakeAt = driver.StepRunning, time.Time{}
		st, have = s, true

		out, aerr, aborted := p.attempt(fn, rc.timeout(), s)
		if aborted {
			return nil, p.abortErr()
		}
		now = time.Now()
		if aerr == nil && len(out) > MaxPayloadBytes {
			aerr = &Error{Name: NameInternal, Message: fmt.Sprintf("Step %s-%d output is too large. Maximum allowed size is 1MiB.", name, key.occ)}
		}
		if aerr == nil {
			p.mu.Lock()
			over := p.stateBytes+int64(len(out)) > p.e.o.MaxStateBytes
			p.mu.Unlock()
			if over {
				p.mu.Lock()
				f := p.setFatal(fatalf("The Workflow instance exceeded its storage limit of %d bytes", p.e.o.MaxStateBytes))
				p.mu.Unlock()
				return nil, f
			}
		}
		var encErr *encodeError
		isEnc := errors.As(aerr, &encErr)
		n := len(s.Attempts)
		s = cloneStep(s)
		s.Attempts[n-1].End = now
		if aerr == nil {
			s.State, s.Output, s.End, s.DoneSeq = driver.StepComplete, out, now, p.nextSeq()
		} else {
			info := errorInfo(aerr)
			attemptErr := info
			switch {
			case isEnc:
				info = &ErrorInfo{Name: NameFatal, Message: fmt.Sprintf("Value returned from step \"%s\" is not serialisable", name)}
				attemptErr = info
			case isNonRetryable(aerr):
				attemptErr = &ErrorInfo{Name: NameFatal, Message: fmt.Sprintf("Step threw a NonRetryableError with message \"%s\"", info.Message)}
			}
			s.Attempts[n-1].Error = attemptErr
			if isEnc || isNonRetryable(aerr) || n > rc.Retries.Limit {
				s.State, s.Error, s.End = driver.StepErrored, info, now
			} else {
				s.State, s.WakeAt = driver.StepWaiting, now.Add(rc.retryDelay(n))
			}
		}
		paused, err := p.update(func(tx driver.Tx) error { return tx.PutStep(s) })
		if err != nil {
			return nil, p.writeErr(err)
		}
		st = s
		p.cache(key, st)
		if s.State == driver.StepComplete {
			p.mu.Lock()
			p.stateBytes += int64(len(out))
			p.mu.Unlock()
		}
		if isEnc {
			p.mu.Lock()
			f := p.setFatal(fatalf("The execution of the Workflow instance was terminated, as the step \"%s\" returned a value which is not serialisable", name))
			p.mu.Unlock()
			return nil, f
		}
		if paused || p.pausePending.Load() {
			return nil, p.pauseStop() // the step's outcome is stored; the pause happens now
		}
		switch st.State {
		case driver.StepComplete:
			return st.Output, nil
		case driver.StepErrored:
			return nil, fromInfo(st.Error, aerr)
		}
		if now.Before(st.WakeAt) {
			return nil, p.suspend(st.WakeAt)
		}
		// A zero delay: retry in this run.
	}
}

func isNonRetryable(err error) bool {
	var we *Error
	return errors.As(err, &we) && we.Name == NameNonRetryable
}

func (p *pass) sleep(name string, d time.Duration, until time.Time) error {
	p.mu.Lock()
	if err := p.halted(); err != nil {
		p.mu.Unlock()
		return err
	}
	key := p.next(driver.KindSleep, name)
	st, have := p.steps[key]
	p.mu.Unlock()

	now := time.Now()
	if have {
		if st.State == driver.StepComplete {
			return nil
		}
		if now.Before(st.WakeAt) {
			return p.suspend(st.WakeAt) // woken early (an event, a resume): sleep the rest
		}
		next := st
		next.State, next.End = driver.StepComplete, now
		p.cache(key, next)
		p.deferStep(next)
		return nil
	}
	if err := p.checkPaused(); err != nil {
		return err
	}

	if !until.IsZero() {
		if until.Before(now) {
			return &Error{Name: NameError, Message: "You can't sleep until a time in the past, time-traveler"}
		}
		d = until.Sub(now)
	}
	if d > MaxSleep {
		p.mu.Lock()
		f := p.setFatal(fatalf("Sleep \"%s\" of %s exceeds the maximum of 365 days", name, d))
		p.mu.Unlock()
		return f
	}
	s := driver.Step{InstanceID: p.id, Kind: driver.KindSleep, Name: name, Occurrence: key.occ,
		Start: now, WakeAt: now.Add(max(d, 0)), State: driver.StepWaiting}
	if d <= 0 {
		s.State, s.End = driver.StepComplete, now
	}
	s.Seq = p.nextSeq()
	p.cache(key, s)
	p.deferStep(s)
	if s.State == driver.StepWaiting {
		return p.suspend(s.WakeAt)
	}
	return nil
}

func (p *pass) waitForEvent(name, eventType string, timeout time.Duration) ([]byte, error) {
	p.mu.Lock()
	if err := p.halted(); err != nil {
		p.mu.Unlock()
		return nil, err
	}
	key := p.next(driver.KindWaitForEvent, name)
	st, have := p.steps[key]
	p.mu.Unlock()

	if have {
		switch st.State {
		case driver.StepComplete:
			return st.Output, nil
		case driver.StepErrored:
			return nil, fromInfo(st.Error, nil)
		}
	} else if err := p.checkPaused(); err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = DefaultEventTimeout
	}
	now := time.Now()
	var next driver.Step
	seq, doneSeq := st.Seq, p.nextSeq()
	if !have {
		seq = p.nextSeq()
	}
	// Taking the event and registering the wait happen in one write, so an event sent at
	// any moment is either taken here or wakes the instance afterwards.
	paused, err := p.update(func(tx driver.Tx) error {
		s := st
		if !have {
			s = driver.Step{InstanceID: p.id, Kind: driver.KindWaitForEvent, Name: name, Occurrence: key.occ,
				Seq: seq, Start: now, EventType: eventType, WakeAt: now.Add(timeout), State: driver.StepWaiting}
		}
		ev, ok, err := tx.TakeEvent(p.id, s.EventType)
		if err != nil {
			return err
		}
		switch {
		case ok:
			payload := ev.Payload
			if len(payload) == 0 {
				payload = []byte("null")
			}
			out, err := marshal(storedEvent{Payload: payload, Timestamp: ev.Timestamp, Type: ev.Type})
			if err != nil {
				return err
			}
			s.State, s.Output, s.End, s.DoneSeq = driver.StepComplete, out, now, doneSeq
		case have && !now.Before(s.WakeAt):
			s.State, s.End = driver.StepErrored, now
			s.Error = &ErrorInfo{Name: NameTimeout, Message: timeoutError(s.WakeAt.Sub(s.Start)).Message}
		case have:
			return errNoChange
		}
		next = s
		return tx.PutStep(s)
	})
	if errors.Is(err, errNoChange) {
		return nil, p.suspend(st.WakeAt)
	}
	if err != nil {
		return nil, p.writeErr(err)
	}
	p.cache(key, next)
	if paused {
		return nil, p.pauseStop()
	}
	switch next.State {
	case driver.StepComplete:
		return next.Output, nil
	case driver.StepErrored:
		return nil, fromInfo(next.Error, nil)
	}
	return nil, p.suspend(next.WakeAt)
}
