// Package r2cli runs the runner's local r2 subcommands (bucket list/create/delete,
// object get/put/delete/head/list) against a store of buckets, the way the platform's
// CLI works on local state.
//
// The runner wires it as its "r2" subcommand:
//
//	err := r2cli.Run(ctx, store, os.Args[2:], r2cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
//
// for example "go run . r2 object put photos/cat.jpg --file cat.jpg --content-type image/jpeg".
// Objects are named "<bucket>/<key>" as in the platform's CLI.
package r2cli
