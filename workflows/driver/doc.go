// Package driver defines what a Workflows storage backend implements, as database/sql/driver
// does for database/sql: the records the engine keeps (instances, steps with their attempts,
// pending events, a little metadata) and a small transactional interface over them.
//
// The engine in package workflows holds every rule (replay, retries, pause, fencing by
// generation); a driver only stores and finds rows. It must make each Update atomic (all of
// the function's writes or none) and durable before Update returns, and run Updates one at
// a time, so that the engine's read-check-write sequences inside one Update never race.
//
// Implementations: workflows/memory (maps, for tests) and workflows/sqlite (the embedded
// default, one SQLite file per workflow). workflows/workflowstest holds the suite both pass.
package driver
