package disk

import (
	"os"
	"sync"
)

// pinSet counts readers per blob. A blob freed while pinned is removed by its last
// reader, so a delete or overwrite never cuts a read short (R2-058).
type pinSet struct {
	mu     sync.Mutex
	n      map[string]int
	doomed map[string]bool
}

func (p *pinSet) init() {
	p.n = map[string]int{}
	p.doomed = map[string]bool{}
}

func (p *pinSet) pin(ids []string) {
	p.mu.Lock()
	for _, id := range ids {
		p.n[id]++
	}
	p.mu.Unlock()
}

func (p *pinSet) pinned(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n[id] > 0
}

// unpin releases one reader of id and removes the file when it was the last reader of a
// freed blob.
func (d *Driver) unpin(id string) {
	p := &d.pins
	p.mu.Lock()
	p.n[id]--
	remove := false
	if p.n[id] <= 0 {
		delete(p.n, id)
		if p.doomed[id] {
			delete(p.doomed, id)
			remove = true
		}
	}
	p.mu.Unlock()
	if remove {
		os.Remove(d.blobPath(id))
	}
}

// free removes committed blobs that no record references any more, deferring those a
// reader holds. Callers have committed the change that dropped them.
func (d *Driver) free(ids []string) {
	if len(ids) == 0 {
		return
	}
	d.gate.Lock()
	p := &d.pins
	p.mu.Lock()
	var now []string
	for _, id := range ids {
		if !validBlobID(id) {
			continue
		}
		if p.n[id] > 0 {
			p.doomed[id] = true
		} else {
			now = append(now, id)
		}
	}
	p.mu.Unlock()
	d.gate.Unlock()
	for _, id := range now {
		os.Remove(d.blobPath(id))
	}
}
