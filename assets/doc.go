// Package assets serves a worker's static assets the way the platform does: from the
// config's `assets.directory`, with its `html_handling` (auto-trailing-slash,
// force-trailing-slash, drop-trailing-slash, none) and `not_found_handling`
// (single-page-application, 404-page, none) rules, content types from file extensions,
// strong ETags with If-None-Match → 304, and byte ranges.
//
// Files are opened through an os.Root on the directory, so no request path — `..`
// segments, encoded slashes, symbolic links pointing out — can reach a file outside it.
// ETags are the hex SHA-256 of the file's content, cached by path, size and modification
// time so that a changed file gets a new ETag without a restart.
//
// The runner puts a Server in front of the worker (assets are answered without entering
// the worker unless `run_worker_first` says otherwise) and binds it as a *worker.Assets
// when `assets.binding` is set.
package assets
