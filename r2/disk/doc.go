// Package disk is the embedded R2 driver: each bucket is a directory holding its objects'
// bytes as files and its index in SQLite.
//
//	<dir>/index.sqlite     records, multipart uploads and parts (WAL mode)
//	<dir>/blobs/xx/<id>    one file per object, or per part of a multipart object
//	<dir>/tmp/             writes in progress
//
// Blob files are named by random 32-hex-character ids, never by keys, so no key (with
// "../", an absolute path, NUL bytes, anything) can reach a path outside the bucket's
// directory. Objects up to Options.InlineLimit (32 KiB by default) live in the index
// instead of a file of their own: a small put then costs no file creation and a small get
// no open.
//
// # Durability and atomicity
//
// A put writes its bytes to tmp/, moves the complete file into blobs/, then commits the
// index row (through a group commit shared with concurrent writers) before it returns. A
// crash at any point leaves either the old object or the new one, never a half-written
// object; files a crash left behind are removed by a sweep that runs in the background
// after Open (it only touches files older than ten minutes, so that two processes sharing
// a directory cannot remove each other's writes in progress). Like the project's other
// SQLite stores, an acknowledged write survives the process being killed; Options.Sync
// adds fsyncs so that it also survives power loss.
//
// Overwrites and deletes free the old bytes once committed. A reader holds the blobs it
// opened: a delete while it streams lets the read finish, and the last reader removes
// the file (R2-058). Multipart uploads complete by linking their part files to the
// object, without copying; uploads left in progress expire after seven days (R2-059).
//
// Reads hand each file section to the destination's ReadFrom as an *io.LimitedReader
// over an *os.File, so net/http serves object bodies with sendfile. Small objects (those
// kept in the index) that were read recently are served from memory, up to 4,096 of them
// and 16 MiB per bucket: this process's writes replace them at once, another process's
// (the CLI on the same folder) within 100 ms; Options.NoReadCache turns this off.
//
// NewStore keeps one directory per bucket under a root, which is what the runner uses
// under its persistence directory.
package disk
