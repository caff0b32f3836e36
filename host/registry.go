package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
)

// serviceRegistry is the folder where running runners note the address of each worker
// they serve, so that a runner in another process can reach it through a service binding
// (the platform's local tools lose these calls unless both workers run in one session).
// An entry names the process; an entry whose process is gone is ignored.
type serviceRegistry struct{ dir string }

type registryEntry struct {
	Address string `json:"address"`
	PID     int    `json:"pid"`
}

func (g serviceRegistry) path(name string) string {
	return filepath.Join(g.dir, url.PathEscape(name)+".json")
}

// publish records that this process serves name at addr.
func (g serviceRegistry) publish(name, addr string) error {
	if g.dir == "" {
		return nil
	}
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return err
	}
	b, _ := json.Marshal(registryEntry{Address: addr, PID: os.Getpid()})
	tmp := g.path(name) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, g.path(name))
}

// withdraw removes this process's entry for name.
func (g serviceRegistry) withdraw(name string) {
	if g.dir == "" {
		return
	}
	if e, err := g.read(name); err == nil && e.PID == os.Getpid() {
		os.Remove(g.path(name))
	}
}

var errNotRegistered = errors.New("no running runner serves it")

// lookup returns the address of a live runner serving name.
func (g serviceRegistry) lookup(name string) (string, error) {
	if g.dir == "" {
		return "", errNotRegistered
	}
	e, err := g.read(name)
	if err != nil {
		return "", errNotRegistered
	}
	if e.PID == os.Getpid() {
		return "", errNotRegistered
	}
	if err := syscall.Kill(e.PID, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return "", fmt.Errorf("%w (the runner that registered it, pid %d, has exited)", errNotRegistered, e.PID)
	}
	return e.Address, nil
}

func (g serviceRegistry) read(name string) (registryEntry, error) {
	var e registryEntry
	b, err := os.ReadFile(g.path(name))
	if err != nil {
		return e, err
	}
	return e, json.Unmarshal(b, &e)
}
