// Package workertest runs workers in tests.
//
// Fetch calls a handler directly with a struct-literal Env — no runner, no config — drains
// its WaitUntil work and fails the test if that work failed:
//
//	resp := workertest.Fetch(t, App{}, Env{Cache: kv.NewMemory()}, httptest.NewRequest("GET", "/", nil))
//
// New starts the real runner in memory (every binding in memory, no listener) from a config
// given as text or a struct, for engine-level tests; its Fetch goes through the same path a
// real request takes (local endpoints, limits, error pages, WebSocket upgrades excepted).
// Run such tests inside testing/synctest to get a fake clock for alarms, crons, queue
// timeouts, retries and workflow sleeps:
//
//	synctest.Test(t, func(t *testing.T) {
//		rt := workertest.New(t, worker.New[Env](App{}), workertest.Config(`{"kv_namespaces":[…]}`))
//		resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
//		…
//	})
package workertest
