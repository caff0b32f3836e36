package kvsqlite

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/flarego/flarego/kv"
)

// FileName is the name of the file that holds namespace id inside a state directory: the
// SHA-256 of the id in hex, plus ".sqlite". Ids may hold any character (spaces, slashes); the
// hash makes every one a safe, fixed-length name. The id itself is kept inside the file
// (table kv_namespace), so a file can be traced back to its namespace.
func FileName(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:]) + ".sqlite"
}

// OpenDir opens the driver of namespace id in dir (creating both when missing), at
// filepath.Join(dir, FileName(id)).
func OpenDir(dir, id string, opts Options) (*Driver, error) {
	if id == "" {
		return nil, errors.New("kvsqlite: empty namespace id")
	}
	d, err := Open(filepath.Join(dir, FileName(id)), opts)
	if err != nil {
		return nil, err
	}
	if err := d.recordID(id); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// OpenNamespace opens namespace id in dir as a ready binding: what the runner puts in a
// worker's Env for a kv_namespaces entry, and what local tooling opens to read and write the
// same data. Close the Namespace to close the file.
func OpenNamespace(dir, id string, opts kv.Options) (*kv.Namespace, error) {
	d, err := OpenDir(dir, id, Options{})
	if err != nil {
		return nil, err
	}
	return kv.New(d, opts), nil
}

// recordID writes id into a new file, and refuses a file that belongs to another id (a hash
// collision, or a file copied by hand).
func (d *Driver) recordID(id string) error {
	var stored string
	err := d.db.Read.QueryRow(`SELECT id FROM kv_namespace LIMIT 1`).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = d.db.Write.Exec(`INSERT INTO kv_namespace (id) SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM kv_namespace)`, id)
		return err
	case err != nil:
		return err
	case stored != id:
		return fmt.Errorf("kvsqlite: %s holds namespace %q, not %q", d.db.Path, stored, id)
	}
	return nil
}
