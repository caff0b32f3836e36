package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

const billingDoc = `Invoices are sent on the first day of each month. Each invoice lists the seats in use.

Refunds are issued within fourteen days of a request. A refund goes back to the card that paid.

Prices are in euros and include VAT for customers in the European Union.`

const securityDoc = `Passwords are stored as salted PBKDF2 hashes.

Sessions expire after seven days, and a nightly job deletes expired sessions.`

func TestKB_AnswersWithCitations(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	c.signIn("ada@example.com")
	var res struct {
		Chunks int
		Model  string
	}
	require.Equal(t, http.StatusOK, c.json("POST", "/api/kb/index", indexRequest{ID: "billing", Title: "Billing", Text: billingDoc}, &res))
	require.Equal(t, 3, res.Chunks)
	require.Equal(t, "@flarego/glove-6b-100d-sif", res.Model)
	require.Equal(t, http.StatusOK, c.json("POST", "/api/kb/index", indexRequest{ID: "security", Title: "Security", Text: securityDoc}, nil))

	var a Answer
	require.Equal(t, http.StatusOK, c.json("POST", "/api/kb/ask", map[string]string{"question": "When are refunds issued?"}, &a))
	require.Contains(t, a.Answer, "Refunds are issued within fourteen days of a request.")
	require.Equal(t, []string{"@flarego/glove-6b-100d-sif", "@flarego/extractive-qa"}, a.Models)
	require.NotEmpty(t, a.Citations)
	require.Equal(t, "billing", a.Citations[0].Doc)
	require.Equal(t, "Billing", a.Citations[0].Title)
	require.Equal(t, 1, a.Citations[0].Chunk)
	require.Contains(t, a.Citations[0].Text, "Refunds are issued")

	require.Equal(t, http.StatusOK, c.json("POST", "/api/kb/ask", map[string]string{"question": "When do sessions expire?"}, &a))
	require.Equal(t, "security", a.Citations[0].Doc)
	require.Contains(t, a.Answer, "seven days")
}

// Re-indexing a shorter version removes the vectors of the chunks that are gone.
func TestKB_ReindexDropsStaleChunks(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	c.signIn("ada@example.com")
	c.json("POST", "/api/kb/index", indexRequest{ID: "billing", Title: "Billing", Text: billingDoc}, nil)
	c.json("POST", "/api/kb/index", indexRequest{ID: "billing", Title: "Billing", Text: "Invoices are sent on the first day of each month."}, nil)

	var a Answer
	require.Equal(t, http.StatusOK, c.json("POST", "/api/kb/ask", map[string]string{"question": "When are refunds issued?"}, &a))
	require.NotContains(t, a.Answer, "fourteen days", "the refunds paragraph is gone")
	for _, cit := range a.Citations {
		require.Equal(t, 0, cit.Chunk, "chunks 1 and 2 are gone")
	}
}

func TestKB_NothingRelevant(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	var a Answer
	require.Equal(t, http.StatusOK, c.json("POST", "/api/kb/ask", map[string]string{"question": "What is the capital of Peru?"}, &a))
	require.Equal(t, "I could not find that in the knowledge base.", a.Answer)
	require.Empty(t, a.Citations)
	require.Equal(t, http.StatusUnauthorized, c.json("POST", "/api/kb/index", indexRequest{ID: "x", Text: "x"}, nil))
}
