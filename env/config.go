package env

import "encoding/json"

// Config is a worker's configuration, with the platform's key names. Only what the runner
// uses is typed; see Warnings for keys it ignored.
type Config struct {
	Name               string                     `json:"name,omitempty"`
	Main               string                     `json:"main,omitempty"`
	CompatibilityDate  string                     `json:"compatibility_date,omitempty"`
	CompatibilityFlags []string                   `json:"compatibility_flags,omitempty"`
	Vars               map[string]json.RawMessage `json:"vars,omitempty"`
	KVNamespaces       []KVNamespace              `json:"kv_namespaces,omitempty"`
	D1Databases        []D1Database               `json:"d1_databases,omitempty"`
	R2Buckets          []R2Bucket                 `json:"r2_buckets,omitempty"`
	DurableObjects     DurableObjects             `json:"durable_objects,omitempty"`
	Migrations         []DOMigration              `json:"migrations,omitempty"`
	Queues             Queues                     `json:"queues,omitempty"`
	Workflows          []Workflow                 `json:"workflows,omitempty"`
	Triggers           Triggers                   `json:"triggers,omitempty"`
	AI                 *AI                        `json:"ai,omitempty"`
	Vectorize          []VectorizeIndex           `json:"vectorize,omitempty"`
	Services           []Service                  `json:"services,omitempty"`
	Assets             *Assets                    `json:"assets,omitempty"`
	Limits             *Limits                    `json:"limits,omitempty"`
	Secrets            *Secrets                   `json:"secrets,omitempty"`
	Dev                *Dev                       `json:"dev,omitempty"`
	// Flarego holds this project's own settings (AI providers, …) under a top-level
	// "flarego" key, which the platform's tools ignore.
	Flarego *Flarego `json:"flarego,omitempty"`
	// Env holds the `[env.NAME]` sections as written; Load applies the selected one.
	Env map[string]json.RawMessage `json:"env,omitempty"`

	// Path is the file this was read from ("" when built in code).
	Path string `json:"-"`
	// Environment is the `[env.NAME]` section applied, or "".
	Environment string `json:"-"`
	// Warnings lists what was accepted but ignored or unusual: unknown keys, vars limits.
	Warnings []string `json:"-"`
}

// KVNamespace is one entry of kv_namespaces.
type KVNamespace struct {
	Binding   string `json:"binding"`
	ID        string `json:"id,omitempty"`
	PreviewID string `json:"preview_id,omitempty"`
}

// D1Database is one entry of d1_databases.
type D1Database struct {
	Binding           string `json:"binding"`
	DatabaseName      string `json:"database_name,omitempty"`
	DatabaseID        string `json:"database_id,omitempty"`
	PreviewDatabaseID string `json:"preview_database_id,omitempty"`
	MigrationsDir     string `json:"migrations_dir,omitempty"`
	MigrationsTable   string `json:"migrations_table,omitempty"`
	MigrationsPattern string `json:"migrations_pattern,omitempty"`
}

// R2Bucket is one entry of r2_buckets.
type R2Bucket struct {
	Binding       string `json:"binding"`
	BucketName    string `json:"bucket_name,omitempty"`
	PreviewBucket string `json:"preview_bucket_name,omitempty"`
	Jurisdiction  string `json:"jurisdiction,omitempty"`
}

// DurableObjects is the durable_objects section.
type DurableObjects struct {
	Bindings []DOBinding `json:"bindings,omitempty"`
}

// DOBinding binds a name to a Durable Object class.
type DOBinding struct {
	Name       string `json:"name"`
	ClassName  string `json:"class_name"`
	ScriptName string `json:"script_name,omitempty"`
}

// DOMigration is one entry of migrations.
type DOMigration struct {
	Tag              string         `json:"tag"`
	NewClasses       []string       `json:"new_classes,omitempty"`
	NewSqliteClasses []string       `json:"new_sqlite_classes,omitempty"`
	RenamedClasses   []RenamedClass `json:"renamed_classes,omitempty"`
	DeletedClasses   []string       `json:"deleted_classes,omitempty"`
}

// RenamedClass is a class rename in a migration.
type RenamedClass struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Queues is the queues section.
type Queues struct {
	Producers []QueueProducer `json:"producers,omitempty"`
	Consumers []QueueConsumer `json:"consumers,omitempty"`
}

// QueueProducer binds a name to a queue.
type QueueProducer struct {
	Binding       string `json:"binding"`
	Queue         string `json:"queue"`
	DeliveryDelay *int   `json:"delivery_delay,omitempty"`
}

// QueueConsumer configures the consumer of a queue. Nil fields take the platform's defaults.
type QueueConsumer struct {
	Queue               string   `json:"queue"`
	Type                string   `json:"type,omitempty"`
	MaxBatchSize        *int     `json:"max_batch_size,omitempty"`
	MaxBatchTimeout     *float64 `json:"max_batch_timeout,omitempty"`
	MaxRetries          *int     `json:"max_retries,omitempty"`
	DeadLetterQueue     string   `json:"dead_letter_queue,omitempty"`
	RetryDelay          *int     `json:"retry_delay,omitempty"`
	MaxConcurrency      *int     `json:"max_concurrency,omitempty"`
	VisibilityTimeoutMs *int     `json:"visibility_timeout_ms,omitempty"`
}

// Workflow is one entry of workflows.
type Workflow struct {
	Name       string `json:"name"`
	Binding    string `json:"binding"`
	ClassName  string `json:"class_name"`
	ScriptName string `json:"script_name,omitempty"`
}

// Triggers is the triggers section.
type Triggers struct {
	Crons []string `json:"crons,omitempty"`
}

// AI is the ai section.
type AI struct {
	Binding string `json:"binding"`
}

// VectorizeIndex is one entry of vectorize.
type VectorizeIndex struct {
	Binding   string `json:"binding"`
	IndexName string `json:"index_name"`
}

// Service is one entry of services (a service binding).
type Service struct {
	Binding     string          `json:"binding"`
	Service     string          `json:"service"`
	Entrypoint  string          `json:"entrypoint,omitempty"`
	Environment string          `json:"environment,omitempty"`
	Props       json.RawMessage `json:"props,omitempty"`
}

// Assets is the assets section.
type Assets struct {
	Directory        string          `json:"directory,omitempty"`
	Binding          string          `json:"binding,omitempty"`
	HTMLHandling     string          `json:"html_handling,omitempty"`
	NotFoundHandling string          `json:"not_found_handling,omitempty"`
	RunWorkerFirst   json.RawMessage `json:"run_worker_first,omitempty"`
}

// Limits is the limits section.
type Limits struct {
	CPUMs       int `json:"cpu_ms,omitempty"`
	Subrequests int `json:"subrequests,omitempty"`
}

// Secrets is the secrets section.
type Secrets struct {
	Required []string `json:"required,omitempty"`
}

// Dev is the dev section.
type Dev struct {
	IP   string `json:"ip,omitempty"`
	Port int    `json:"port,omitempty"`
}

// Flarego is the "flarego" section: settings of this runner that the platform's config has
// no place for. Each is passed as written to the package that owns it.
type Flarego struct {
	// AI configures package ai's providers and model routes (see package ai).
	AI json.RawMessage `json:"ai,omitempty"`
	// S3 holds the access keys of the runner's S3-compatible endpoint over the R2 buckets.
	S3 *S3 `json:"s3,omitempty"`
	// R2Notifications send R2 object events into queues (the platform configures these
	// with its CLI, not in the config file).
	R2Notifications []R2Notification `json:"r2_notifications,omitempty"`
	// VectorizeIndexes are created at start when missing (on the platform an index is made
	// with its CLI before a worker binds it).
	VectorizeIndexes []VectorizeIndexSpec `json:"vectorize_indexes,omitempty"`
}

// VectorizeIndexSpec describes an index to create.
type VectorizeIndexSpec struct {
	Name        string `json:"name"`
	Dimensions  int    `json:"dimensions"`
	Metric      string `json:"metric"`
	Description string `json:"description,omitempty"`
}

// S3 is the flarego.s3 section.
type S3 struct {
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
}

// R2Notification is one event-notification rule of a bucket.
type R2Notification struct {
	Bucket string   `json:"bucket"`
	Queue  string   `json:"queue"`
	Events []string `json:"events,omitempty"` // "object-create", "object-delete"; empty: both
	Prefix string   `json:"prefix,omitempty"`
	Suffix string   `json:"suffix,omitempty"`
}
