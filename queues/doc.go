// Package queues is the platform's Queues for flarego workers: producers that send durable
// messages, push consumers that receive them in batches, HTTP pull consumers, and the local
// tools that inspect and purge queues.
//
// # Producing
//
// A producer binding is an Env field of type *Producer[T]; T is the message body type:
//
//	type Env struct {
//		Jobs *queues.Producer[Job] `binding:"JOBS"`
//	}
//
//	err := env.Jobs.Send(ctx, Job{ID: 7})                                  // JSON
//	err = env.Jobs.Send(ctx, job, queues.Delay(30*time.Second))             // delaySeconds
//	err = env.Jobs.SendBatch(ctx, []queues.BatchMessage[Job]{{Body: a}, {Body: b}})
//
// Send returns once the message is on disk: a message whose Send returned survives the
// process being killed the next instant. Errors have the platform's exact text (see
// SendError); every Send or SendBatch counts one subrequest of the invocation.
//
// # Consuming
//
// A push consumer is registered on the App by queue name; the runner delivers batches with
// the config's consumer settings (max_batch_size, max_batch_timeout, max_retries,
// dead_letter_queue, retry_delay, max_concurrency), production defaults otherwise:
//
//	queues.Consume(app, "jobs", func(batch *queues.Batch[Job], env Env, ctx *worker.Context) error {
//		for _, m := range batch.Messages {
//			if err := process(m.Body); err != nil {
//				m.Retry(queues.Delay(time.Minute))
//			}
//		}
//		return nil // every message not retried is acknowledged
//	})
//
// A returned error, a panic or a failed WaitUntil task retries every message not explicitly
// acknowledged; the first Ack or Retry of a message wins; after max_retries+1 deliveries a
// message moves to the dead letter queue or is dropped. Each batch logs
// `QUEUE <name> <acked>/<total> (<ms>ms)` through Options.Logger.
//
// # Storage, leases and processes
//
// Messages live in one SQLite file (Open's dir/queues.sqlite) written through group commit;
// concurrent sends share a commit. A batch taken for a consumer is leased: invisible to
// other consumers until a deadline that the Engine renews while the handler runs, so the
// messages of a crashed process come back once the lease runs out (Options.LeaseDuration,
// 30 s), with their attempt counted. Several processes opened on the same directory share
// the queues: a producer in one and its consumer in another work together (sends in the same
// process wake the consumer at once; other processes' sends are found by a short poll,
// Options.PollInterval). Ordering is best effort, as on the platform; one consumer sees
// send order.
//
// # Pull consumers
//
// Engine.PullHandler serves the platform's pull API (POST …/messages/pull and
// …/messages/ack) for queues configured with type "http_pull", or without a consumer. Its
// {queue_id} is the queue's name (path-escaped) or its QueueID.
//
// # The runner's API
//
// The host wires queues in a few calls: Open(dir, Options{Consumers, Logger, Limits,
// WorkerName}) before the Env exists; Engine.Producer(ProducerConfig) and NewBindingValue
// for each producer field (IsProducerType recognises them); Engine.Start(env,
// app.Registrations()) once the Env is built; Engine.PullHandler mounted on the local
// server; Engine.List, Info and Purge for the `queues` subcommands; Engine.Close at
// shutdown. Drivers other than SQLite implement Driver and pass queuestest.Run.
//
// # Conformance
//
// Tests carry the CONFORMANCE IDs they prove (Q-001 … Q-038). Where this package departs
// from the platform, on purpose:
//
//   - Go has no structured clone. The default content type is always "json"
//     (there are no compatibility dates); "v8" is accepted and stored as JSON labelled "v8",
//     so Go consumers decode it like JSON and pull consumers get it base64-encoded and
//     opaque, as on the platform. Date/Map fidelity of v8 does not apply.
//   - the 5,000 messages/s rate and the 25 GB backlog limits are off by default
//     (the runner's throughput exceeds them); Options.RateLimit and MaxBacklogBytes turn them
//     on with ProductionRateLimit and ProductionMaxBacklogBytes. The rate is counted per
//     process.
//   - the local simulator's defaults (5 / 1 s / 2) are not used; production's are.
//   - consumer invocations get a 15 minute wall budget by default; the CPU budget is
//     the runner's Limits.CPU (its strict-limits switch sets the platform's 30 s).
//   - messages sent to a queue without a consumer are kept (for the
//     retention period) until a consumer, in this process or another, takes them.
//   - a dead letter queue needs no creation: queues exist once written to.
//   - no API token is checked by the local pull API and the account id is ignored.
package queues
