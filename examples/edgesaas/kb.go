package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/flarego/flarego/ai"
	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/worker"
)

// The models, under their own names. The embedded embedding model has 100 dimensions, so
// the KB index is created with 100 (see wrangler.jsonc). On the platform you would use
// @cf/baai/bge-base-en-v1.5 (768 dimensions) and a generative model.
const (
	embedModel  = ai.ModelGloVe
	answerModel = ai.ModelExtractiveQA
)

// Retrieval settings: how many chunks to consider, and how similar one must be to count.
const (
	topK     = 4
	minScore = 0.35
)

var docIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

func docKey(id string) string { return "kb/" + id }

// vectorID names a chunk's vector: at most 40 + 1 + 4 bytes, under Vectorize's 64.
func vectorID(doc string, i int) string { return fmt.Sprintf("%s#%d", doc, i) }

type indexRequest struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// indexDoc stores a document in R2 and one vector per chunk in Vectorize. The vector's
// metadata says where its chunk sits in the document, so answers can quote and cite it.
func indexDoc(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	in, err := decode[indexRequest](req)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if !docIDPattern.MatchString(in.ID) {
		return fail(http.StatusBadRequest, "id must be 1 to 40 lowercase letters, digits or dashes")
	}
	chunks := splitChunks(in.Text)
	if len(chunks) == 0 {
		return fail(http.StatusBadRequest, "text is empty")
	}
	if len(chunks) > 1000 {
		return fail(http.StatusBadRequest, "text is too long: index it as several documents")
	}
	// A document indexed before may have had more chunks; their vectors must go.
	old := 0
	if prev, err := env.Files.Head(ctx, docKey(in.ID)); err == nil {
		old, _ = strconv.Atoi(prev.CustomMetadata["chunks"])
	} else if !errors.Is(err, r2.ErrNotFound) {
		return nil, err
	}

	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = in.Text[c.Start:c.End]
	}
	vecs, err := embed(ctx, env.AI, texts)
	if err != nil {
		return nil, err
	}
	if _, err := env.Files.Put(ctx, docKey(in.ID), strings.NewReader(in.Text), &r2.PutOptions{
		HTTPMetadata:   &r2.HTTPMetadata{ContentType: "text/plain; charset=utf-8"},
		CustomMetadata: map[string]string{"title": in.Title, "chunks": strconv.Itoa(len(chunks))},
	}); err != nil {
		return nil, err
	}
	batch := make([]vectorize.Vector, len(chunks))
	for i, c := range chunks {
		batch[i] = vectorize.Vector{ID: vectorID(in.ID, i), Values: vecs[i], Metadata: map[string]any{
			"doc": in.ID, "title": in.Title, "chunk": i, "start": c.Start, "end": c.End,
		}}
	}
	for i := 0; i < len(batch); i += 1000 { // Vectorize takes at most 1000 per call
		if _, err := env.KB.Upsert(ctx, batch[i:min(i+1000, len(batch))]); err != nil {
			return nil, err
		}
	}
	var stale []string
	for i := len(chunks); i < old; i++ {
		stale = append(stale, vectorID(in.ID, i))
	}
	for i := 0; i < len(stale); i += 100 { // and deletes at most 100 ids per call
		if _, err := env.KB.DeleteByIDs(ctx, stale[i:min(i+100, len(stale))]); err != nil {
			return nil, err
		}
	}
	return worker.JSON(http.StatusOK, map[string]any{"id": in.ID, "chunks": len(chunks), "model": embedModel})
}

// Citation points at the chunk of a document that an answer quotes.
type Citation struct {
	Doc   string  `json:"doc"`
	Title string  `json:"title"`
	Chunk int     `json:"chunk"`
	Score float64 `json:"score"`
	Text  string  `json:"text"`
}

// Answer is what /api/kb/ask returns.
type Answer struct {
	Answer    string     `json:"answer"`
	Citations []Citation `json:"citations"`
	Models    []string   `json:"models"`
}

// askKB answers a question from the indexed documents: embed the question, find the
// nearest chunks, read them from R2, and let the answer model quote from them.
func askKB(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	in, err := decode[struct {
		Question string `json:"question"`
	}](req)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if strings.TrimSpace(in.Question) == "" {
		return fail(http.StatusBadRequest, "question is required")
	}
	q, err := embed(ctx, env.AI, []string{in.Question})
	if err != nil {
		return nil, err
	}
	matches, err := env.KB.Query(ctx, q[0], vectorize.QueryOptions{TopK: topK, ReturnMetadata: vectorize.MetadataAll})
	if err != nil {
		return nil, err
	}
	var found []Citation
	for _, m := range matches.Matches {
		if m.Score < minScore {
			break // closest first: the rest are further still
		}
		c, err := readChunk(ctx, env.Files, m)
		if errors.Is(err, r2.ErrNotFound) {
			continue // its document was deleted after the vector was found
		}
		if err != nil {
			return nil, err
		}
		found = append(found, c)
	}
	out := Answer{Citations: []Citation{}, Models: []string{embedModel}}
	if len(found) == 0 {
		out.Answer = "I could not find that in the knowledge base."
		return worker.JSON(http.StatusOK, out)
	}

	var context strings.Builder
	for _, c := range found {
		context.WriteString(c.Text + "\n\n")
	}
	gen, err := ai.Run[ai.TextGenerationInput, ai.TextGenerationOutput](ctx, env.AI, answerModel, ai.TextGenerationInput{
		Messages: []ai.Message{
			{Role: "system", Content: "Answer from these passages only.\n\n" + context.String()},
			{Role: "user", Content: in.Question},
		},
	}, nil)
	if err != nil {
		return nil, err
	}
	out.Answer, out.Models = gen.Response, append(out.Models, answerModel)
	out.Citations = cite(out.Answer, found)
	return worker.JSON(http.StatusOK, out)
}

// cite keeps the passages the answer quotes from; the best match when it quotes none
// word for word.
func cite(answer string, found []Citation) []Citation {
	var out []Citation
	for _, c := range found {
		for _, sentence := range strings.SplitAfter(answer, ". ") {
			if s := strings.TrimSpace(sentence); s != "" && strings.Contains(c.Text, strings.TrimSuffix(s, ".")) {
				out = append(out, c)
				break
			}
		}
	}
	if len(out) == 0 {
		out = found[:1]
	}
	return out
}

// readChunk reads a match's passage with a range request on its document.
func readChunk(ctx context.Context, files *r2.Bucket, m vectorize.Match) (Citation, error) {
	doc, _ := m.Metadata["doc"].(string)
	title, _ := m.Metadata["title"].(string)
	chunkNo, _ := m.Metadata["chunk"].(float64) // metadata numbers come back as float64
	start, _ := m.Metadata["start"].(float64)
	end, _ := m.Metadata["end"].(float64)
	off, n := int64(start), int64(end-start)
	obj, err := files.Get(ctx, docKey(doc), &r2.GetOptions{Range: &r2.Range{Offset: &off, Length: &n}})
	if err != nil {
		return Citation{}, err
	}
	defer obj.Body.Close()
	text, err := io.ReadAll(obj.Body)
	return Citation{Doc: doc, Title: title, Chunk: int(chunkNo), Score: m.Score, Text: string(text)}, err
}

// embed returns one vector per text, in batches of the 100 the model takes per run.
func embed(ctx context.Context, client *ai.Client, texts []string) ([][]float32, error) {
	var out [][]float32
	for i := 0; i < len(texts); i += 100 {
		res, err := ai.Run[ai.EmbeddingInput, ai.EmbeddingOutput](ctx, client, embedModel,
			ai.EmbeddingInput{Text: texts[i:min(i+100, len(texts))]}, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Data...)
	}
	return out, nil
}
