package durableobject

import "time"

// runnerIdle is how long a goroutine that ran an object's loop waits to run another's
// before it exits.
const runnerIdle = time.Second

// runners hands object loops to goroutines that have run loops before. SQLite's frames are
// deep: a fresh goroutine grows its stack several times during its first statement, which
// costs more than the statement. An object idle past lingerFor gives its goroutine back here,
// so that with many objects each woken now and then (one request per object) the next one
// to wake reuses a grown stack instead of making one.
type runners struct {
	// handoff is unbuffered: a send succeeds only when a runner is waiting for work.
	handoff chan *object
	// stop is closed by Engine.Close, after every loop has ended.
	stop chan struct{}
}

func newRunners() runners {
	return runners{handoff: make(chan *object), stop: make(chan struct{})}
}

// startLoop runs o's loop on a waiting runner, or on a new one when none waits.
func (e *Engine) startLoop(o *object) {
	e.loops.Add(1)
	select {
	case e.runners.handoff <- o:
	default:
		go e.runLoops(o)
	}
}

// runLoops runs o's loop, then the loops handed to it, until it has waited runnerIdle for
// one or the engine closes.
func (e *Engine) runLoops(o *object) {
	var idle *time.Timer
	for {
		o.loop()
		if idle == nil {
			idle = time.NewTimer(runnerIdle)
		} else {
			idle.Reset(runnerIdle)
		}
		select {
		case o = <-e.runners.handoff:
			idle.Stop()
		case <-idle.C:
			return
		case <-e.runners.stop:
			idle.Stop()
			return
		}
	}
}
