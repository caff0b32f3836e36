package ai

import (
	"crypto/sha1"
	"fmt"
	"strings"
)

// ModelInfo is one entry of the model catalogue, in the shape the platform's models()
// returns (AI-014). Entries this package serves add the properties "served_by" (the provider
// name in the configuration) and "upstream_model" (the name the provider knows it by).
type ModelInfo struct {
	ID          string          `json:"id"`
	Source      int             `json:"source"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Task        TaskInfo        `json:"task"`
	Tags        []string        `json:"tags"`
	Properties  []ModelProperty `json:"properties"`
}

// TaskInfo describes a model's task.
type TaskInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// ModelProperty is one {property_id, value} pair of a catalogue entry.
type ModelProperty struct {
	PropertyID string `json:"property_id"`
	Value      any    `json:"value"`
}

// Property returns the value of the property named id, or nil.
func (m ModelInfo) Property(id string) any {
	for _, p := range m.Properties {
		if p.PropertyID == id {
			return p.Value
		}
	}
	return nil
}

var (
	taskTextGeneration = TaskInfo{
		ID:          "c329a1f9-323d-4e91-b2aa-582dd4188d34",
		Name:        "Text Generation",
		Description: "Models that continue a prompt or a conversation with generated text.",
	}
	taskTextEmbeddings = TaskInfo{
		ID:          "0137cdcf-162a-4108-94f2-1ca59e8c65ee",
		Name:        "Text Embeddings",
		Description: "Models that turn text into vectors for similarity search and retrieval.",
	}
)

func taskInfo(t Task) TaskInfo {
	switch t {
	case TaskTextGeneration:
		return taskTextGeneration
	case TaskTextEmbeddings:
		return taskTextEmbeddings
	}
	return TaskInfo{Name: string(t)}
}

// Names of the models the package ships.
const (
	// ModelGloVe is the embedded embeddings model: 100-dimension GloVe word vectors combined
	// by smooth inverse frequency. It is not BGE and never answers under a BGE name unless
	// the configuration maps that name to it.
	ModelGloVe = "@flarego/glove-6b-100d-sif"
	// ModelExtractiveQA is the embedded text model: it answers with the sentences of the
	// prompt's own context most similar to the question (under ModelGloVe). It writes no
	// new text and is never presented as a generative model.
	ModelExtractiveQA = "@flarego/extractive-qa"
)

// catalogue holds the models the package recognises (AI-007): their task and size, used to
// validate inputs and to describe them in Models. Recognising a model does not mean serving
// it: a @cf model runs only where the configuration routes it to a provider.
var catalogue = map[string]ModelInfo{
	"@cf/meta/llama-3.1-8b-instruct": {
		ID: "41975cc2-c82e-4e98-b7b8-88ffb186a545", Source: 1,
		Name:        "@cf/meta/llama-3.1-8b-instruct",
		Description: "Meta Llama 3.1, 8 billion parameters, tuned to follow instructions in multilingual dialogue.",
		Task:        taskTextGeneration,
	},
	"@cf/meta/llama-3.3-70b-instruct-fp8-fast": {
		Source:      1,
		Name:        "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
		Description: "Meta Llama 3.3, 70 billion parameters, quantised to fp8 for speed, tuned to follow instructions.",
		Task:        taskTextGeneration,
	},
	"@cf/baai/bge-small-en-v1.5": {
		Source:      1,
		Name:        "@cf/baai/bge-small-en-v1.5",
		Description: "BAAI general embedding, small: English text to 384-dimension vectors.",
		Task:        taskTextEmbeddings,
		Properties:  []ModelProperty{{"max_input_tokens", "512"}, {"output_dimensions", "384"}},
	},
	"@cf/baai/bge-base-en-v1.5": {
		ID: "429b9e8b-d99e-44de-91ad-706cf8183658", Source: 1,
		Name:        "@cf/baai/bge-base-en-v1.5",
		Description: "BAAI general embedding, base: English text to 768-dimension vectors.",
		Task:        taskTextEmbeddings,
		Properties:  []ModelProperty{{"max_input_tokens", "512"}, {"output_dimensions", "768"}},
	},
	"@cf/baai/bge-large-en-v1.5": {
		Source:      1,
		Name:        "@cf/baai/bge-large-en-v1.5",
		Description: "BAAI general embedding, large: English text to 1024-dimension vectors.",
		Task:        taskTextEmbeddings,
		Properties:  []ModelProperty{{"max_input_tokens", "512"}, {"output_dimensions", "1024"}},
	},
	ModelGloVe: {
		Name: ModelGloVe,
		Description: "GloVe 6B word vectors (40,000 words, 100 dimensions, int8) combined into sentence " +
			"vectors by smooth-inverse-frequency weighting; embedded, offline. A bag-of-words model, not a transformer.",
		Task:       taskTextEmbeddings,
		Tags:       []string{"embedded"},
		Properties: []ModelProperty{{"output_dimensions", "100"}, {"license", "PDDL-1.0 (GloVe data)"}},
	},
	ModelExtractiveQA: {
		Name: ModelExtractiveQA,
		Description: "Answers with the sentences of the given context (prompt or messages) most similar to the " +
			"question; embedded, offline. It quotes, it does not generate.",
		Task: taskTextGeneration,
		Tags: []string{"embedded"},
	},
}

// dims returns the output dimensions the catalogue gives model, or 0.
func catalogueDims(model string) int {
	info, ok := catalogue[model]
	if !ok {
		return 0
	}
	var n int
	if v, ok := info.Property("output_dimensions").(string); ok {
		fmt.Sscan(v, &n)
	}
	return n
}

func catalogueTask(model string) Task {
	switch catalogue[model].Task.ID {
	case taskTextGeneration.ID:
		return TaskTextGeneration
	case taskTextEmbeddings.ID:
		return TaskTextEmbeddings
	}
	return ""
}

// stableID derives a UUID-shaped id from a model name for entries the catalogue has no id
// for, so that ids stay the same from run to run.
func stableID(name string) string {
	h := sha1.Sum([]byte("flarego-ai-model:" + name))
	var b [16]byte
	copy(b[:], h[:16])
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// ModelsFilter narrows Models (AI-014). Zero fields do not filter.
type ModelsFilter struct {
	// Search matches a substring of the name or description, in any case.
	Search string
	// Task matches the task name ("Text Generation") or id, in any case.
	Task string
	// Author matches the name's second segment ("meta" in "@cf/meta/…").
	Author string
	// Page (from 1) and PerPage paginate; PerPage 0 returns everything.
	Page, PerPage int
	// HideExperimental drops entries tagged "experimental".
	HideExperimental bool
}

func (f *ModelsFilter) match(m ModelInfo) bool {
	if f == nil {
		return true
	}
	if s := strings.ToLower(f.Search); s != "" &&
		!strings.Contains(strings.ToLower(m.Name), s) && !strings.Contains(strings.ToLower(m.Description), s) {
		return false
	}
	if f.Task != "" && !strings.EqualFold(f.Task, m.Task.Name) && !strings.EqualFold(f.Task, m.Task.ID) {
		return false
	}
	if f.Author != "" {
		parts := strings.SplitN(m.Name, "/", 3)
		if len(parts) < 2 || !strings.EqualFold(parts[1], f.Author) {
			return false
		}
	}
	if f.HideExperimental {
		for _, t := range m.Tags {
			if t == "experimental" {
				return false
			}
		}
	}
	return true
}

func (f *ModelsFilter) page(all []ModelInfo) []ModelInfo {
	if f == nil || f.PerPage <= 0 {
		return all
	}
	page := max(f.Page, 1)
	start := (page - 1) * f.PerPage
	if start >= len(all) {
		return []ModelInfo{}
	}
	return all[start:min(start+f.PerPage, len(all))]
}
