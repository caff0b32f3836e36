package worker_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

// W-035: a request has a standard cf object: the fixed default, the runner's, or one set on
// the request, which wins; the protocol and accepted encodings come from the request.
func TestRequestCF_W035(t *testing.T) {
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	cf := worker.RequestCF(req)
	require.Equal(t, worker.DefaultCF().Country, cf.Country)
	require.NotEmpty(t, cf.Colo)
	require.NotEmpty(t, cf.Timezone)
	require.Equal(t, "HTTP/1.1", cf.HTTPProtocol)
	require.Equal(t, "gzip, br", cf.ClientAcceptEncoding)
	b, err := json.Marshal(cf)
	require.NoError(t, err)
	require.Contains(t, string(b), `"colo":"LHR"`)
	require.Contains(t, string(b), `"httpProtocol":"HTTP/1.1"`)

	runners := worker.DefaultCF()
	runners.Country, runners.Colo = "DE", "FRA"
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Kind: "fetch", CF: &runners})
	defer cancel()
	require.Equal(t, "FRA", worker.RequestCF(req.WithContext(ctx)).Colo, "the runner's cf")

	mine := worker.DefaultCF()
	mine.Country = "JP"
	own := worker.WithCF(req, mine)
	ctx2, cancel2 := worker.NewContext(own.Context(), worker.ContextOptions{Kind: "fetch", CF: &runners})
	defer cancel2()
	require.Equal(t, "JP", worker.RequestCF(own.WithContext(ctx2)).Country, "the request's own cf wins")

	worker.RequestCF(req).Country = "changed"
	require.Equal(t, worker.DefaultCF().Country, worker.RequestCF(req).Country, "each caller gets its own copy")
}
