package wal

import (
	"database/sql"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// Laying a log's committed frames over the database file as it was before them gives the
// database after them, page for page.
func TestScanReplaysCommits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db.sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec("CREATE TABLE t (x); PRAGMA wal_checkpoint(TRUNCATE);")
	require.NoError(t, err)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	for i := range 20 {
		_, err := db.Exec("INSERT INTO t VALUES (randomblob(?))", 100*(i+1))
		require.NoError(t, err)
	}
	f, err := os.Open(path + "-wal")
	require.NoError(t, err)
	defer f.Close()
	h, err := ReadHeader(f)
	require.NoError(t, err)
	image := append([]byte(nil), before...)
	commits, pages := 0, uint32(0)
	var pending [][]byte
	end, err := Scan(f, h, h.Start(), func(pgno uint32, page []byte, commit uint32) error {
		rec := make([]byte, 4+len(page))
		binary.BigEndian.PutUint32(rec, pgno)
		copy(rec[4:], page)
		pending = append(pending, rec)
		if commit != 0 {
			for _, r := range pending {
				off := int(binary.BigEndian.Uint32(r)-1) * int(h.PageSize)
				for len(image) < off+int(h.PageSize) {
					image = append(image, 0)
				}
				copy(image[off:], r[4:])
			}
			pending, pages = nil, commit
			commits++
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 20, commits)
	require.Empty(t, pending)
	image = image[:int(pages)*int(h.PageSize)]

	// The database itself, after a checkpoint, is that image.
	_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	require.NoError(t, err)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, len(after), len(image))
	// Page 1's header holds a change counter the checkpoint does not alter; compare all.
	require.Equal(t, after, image)

	// From the end, there is nothing more; a cursor of another generation reads nothing.
	again, err := Scan(f, h, end, func(uint32, []byte, uint32) error { t.Fatal("frame after end"); return nil })
	require.NoError(t, err)
	require.Equal(t, end, again)
}

func TestReadHeaderRejectsGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x-wal")
	require.NoError(t, os.WriteFile(path, make([]byte, 64), 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = ReadHeader(f)
	require.ErrorIs(t, err, ErrNoLog)
}
