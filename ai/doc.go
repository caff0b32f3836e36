// Package ai is the Workers AI binding: env.AI.run(model, inputs, options) as
// (*Client).Run(ctx, model, input, opts), with the platform's input schemas, result shapes,
// streaming format and errors, served by local providers. The platform's own local tools
// cannot run AI at all; this package runs offline by default and never presents one model as
// another.
//
// # Models and providers
//
// A Client routes each model name to a Provider (the driver interface: Generate and Embed,
// with StreamingProvider, ModelLister and TaskRunner as optional capabilities). The provider
// named "embedded" is always present (unless Config.NoEmbedded) and serves two models shipped
// in the module, under their own names only:
//
//   - ModelGloVe ("@flarego/glove-6b-100d-sif"): GloVe 6B word vectors, 40,000 words, 100
//     dimensions, int8, combined into unit sentence vectors by smooth-inverse-frequency
//     weighting with the common direction removed (see ai/internal/glove; the data is under
//     the PDDL, licence and provenance in ai/internal/glove/data/LICENSE.md). A bag-of-words
//     model: good at topical similarity, blind to word order; hundreds of thousands of
//     sentences per second on one core. Loaded on first use.
//   - ModelExtractiveQA ("@flarego/extractive-qa"): answers with up to three sentences of the
//     given context (system messages, earlier messages, or the part of a prompt before
//     "Question:") that are most similar to the question, by GloVe cosine plus weighted word
//     overlap. It quotes; it generates nothing. With no context it says so and names the
//     configuration key. max_tokens counts words; tools are ignored (it never calls one).
//
// Other providers:
//
//   - "openai" (NewOpenAI): any server speaking the OpenAI HTTP API, such as Ollama,
//     llama.cpp's server or vLLM. Chat completions (text completions when raw is set),
//     embeddings and the model list; streams converted to the platform's events; tool calls
//     converted to {name, arguments}. The platform's defaults (max_tokens 256, temperature
//     0.6) are sent explicitly so that an unset field behaves as on the platform.
//   - NewFake: canned outputs for unit tests, deterministic answers for everything else.
//   - Any Go value implementing Provider, set in ProviderConfig.Provider.
//
// A platform name such as "@cf/baai/bge-base-en-v1.5" or "@cf/meta/llama-3.1-8b-instruct"
// runs only where the configuration routes it. Unrouted, it fails with the platform's 5007
// error, extended with what to set:
//
//	InferenceUpstreamError: 5007: No such model @cf/baai/bge-base-en-v1.5 or task: no provider
//	serves it here. Route it to a provider under "flarego.ai.models" in the config file, or set
//	FLAREGO_AI_BASE_URL (an OpenAI-compatible server such as Ollama) and FLAREGO_AI_MODELS. The
//	embedded @flarego/glove-6b-100d-sif (100 dimensions, not 768) serves this name only if
//	routed there explicitly.
//
// Routing a BGE name to the embedded model is allowed, and then honest about it: the vectors
// have 100 dimensions (a Vectorize index must be created with 100), RequestInfo names the
// model that served the run, and Models describes the entry as served by GloVe with
// output_dimensions 100.
//
// # Configuration
//
// The platform's config has only {"ai": {"binding": "AI"}}. Provider settings live under a
// top-level "flarego" key, which the platform's tools do not use (wrangler at most warns about
// an unexpected field), so the same file keeps working there. In wrangler.jsonc:
//
//	{
//	  "ai": { "binding": "AI" },
//	  "flarego": {
//	    "ai": {
//	      "providers": {
//	        "ollama": { "type": "openai", "base_url": "http://127.0.0.1:11434/v1", "api_key_env": "OLLAMA_KEY" }
//	      },
//	      "models": {
//	        "@cf/meta/llama-3.1-8b-instruct": { "provider": "ollama", "model": "llama3.1:8b" },
//	        "@cf/baai/bge-base-en-v1.5": { "provider": "embedded", "model": "@flarego/glove-6b-100d-sif" }
//	      },
//	      "default": { "provider": "ollama" },
//	      "cache": { "max_entries": 1024, "max_bytes": 33554432 }
//	    }
//	  }
//	}
//
// (In wrangler.toml the same keys go under [flarego.ai.providers.ollama], [flarego.ai.models."…"].)
// "default" serves every name "models" does not list; without "model" it passes the name
// through unchanged, which suits an upstream that knows the platform's names. Unknown keys are
// errors. Instead of the file, or on top of it, the environment can set:
//
//	FLAREGO_AI_BASE_URL=http://127.0.0.1:11434/v1   # defines provider "env" (OpenAI-compatible)
//	FLAREGO_AI_API_KEY=...                          # its bearer token, if it needs one
//	FLAREGO_AI_MODELS=@cf/meta/llama-3.1-8b-instruct=llama3.1:8b,@cf/baai/bge-base-en-v1.5=nomic-embed-text
//
// where "*" in FLAREGO_AI_MODELS sets the default route ("*" alone passes names through).
// LoadConfig reads both; New builds the client; the zero Client serves the embedded models.
//
// # Results, streaming and errors
//
// Run returns *TextGenerationOutput, *EmbeddingOutput, *Stream (text/event-stream when the
// input sets stream, or a binary body), *http.Response with ReturnRawResponse, or what a
// TaskRunner returns for other tasks. The typed helper Run[In, Out] removes the type
// assertion. A *Stream is an io.ReadCloser a Fetch handler returns as the body (Response does
// it in one call); events are `data: {"response":"…"}` then `data: [DONE]`, with tool calls
// and usage, when known, in the last event before [DONE].
//
// Errors are *Error {Name, Code, Message, Status} and wrap a sentinel (ErrInvalidInput,
// ErrNoProvider, ErrUpstream, ErrTimeout, ErrAborted, ErrInternal, ErrUnsupported):
//
//	name                    code  status  when
//	InvalidInput            1001  400     prompt and messages together (text verified against the platform)
//	InvalidInput            5006  400     any other schema violation; texts are ours, in the style "Error: '/top_k' must be …"
//	InferenceUpstreamError  5007  400     no provider serves the model
//	InferenceUpstreamError  3007  408     the gateway's request timeout expired
//	InferenceUpstreamError  …     …       a provider's error response, parsed by the platform's rules (ParseError)
//	AiInternalError         0     0       refused before running: stream-input rules, invalid gateway options
//	AbortError              0     0       ctx ended; wraps ctx's error
//
// Every Run counts one subrequest against the invocation's budget (worker.Subrequest) and
// fails with its error once the budget is spent.
//
// # AI Gateway, locally
//
// RunOptions.Gateway with an ID applies, in process: a response cache (in memory, LRU, bounded
// by Config.Cache; keyed by gateway, model and input, or CacheKey; CacheTTL per request;
// SkipCache; streamed results are not cached), retries of 5xx/429/timeout/unreachable failures
// (MaxAttempts 1–5, RetryDelay up to 5 s, constant, linear or exponential backoff), a request
// timeout on the first part of each response (not on the last of several attempts, as on the
// platform), and a bounded request log with ULID ids, metadata and event ids, readable with
// Gateway(id).GetLog and patchable with PatchLog. Without an ID the options are ignored, as on
// the platform.
//
// # Host wiring
//
// The host builds one Client per process from the config file's "flarego" → "ai" object and
// the environment (LoadConfig, New), injects it into every field of type *ai.Client, and runs
// the local CLI with Command ("ai models", "ai run MODEL INPUT"). The binding keeps no state on
// disk: the cache and the gateway log are in memory.
//
// # Conformance (CONFORMANCE.md §9)
//
// Covered by tests that carry the ids: AI-001 (result kinds), AI-002 (input schema and
// defaults), AI-003, AI-004 (incl. tool_calls, usage), AI-005 (event stream, usable as a
// response body), AI-006 (embeddings schema and shape), AI-007 (recognised names, never served
// without a route), AI-008, AI-009, AI-010 (returnRawResponse), AI-011, AI-012, AI-013
// (context cancellation is the signal), AI-014, AI-015 (offline embedded models, fake). The
// conformance suite for providers is ai/aitest.
//
// Not applicable, or not done, with the reason:
//   - AI-010's websocket option: no local model speaks WebSocket; the option does not exist
//     here.
//   - AI-006's 512-token limit: the embedded model has none, and upstream servers enforce
//     their own; it is not checked locally.
//   - AI-002's lora, image, functions and response_format inputs are accepted and ignored;
//     the run options prefix and extraHeaders do not exist here (provider headers are set in
//     the configuration instead).
//   - The error names of 5006, 5007 and 3007 could not be checked against the platform; they
//     follow the verified 1001 case and the platform's error code table.
package ai
