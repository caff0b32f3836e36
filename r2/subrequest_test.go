package r2_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/worker"
)

// Every binding operation is a subrequest of the invocation it runs in (W-016).
func TestEveryOperationCountsAsASubrequest(t *testing.T) {
	b := r2.NewMemory()
	ctx, cancel := worker.NewContext(context.Background(), worker.ContextOptions{Limits: worker.Limits{Subrequests: 9}})
	defer cancel()
	_, err := b.Put(ctx, "k", strings.NewReader("v"), nil)
	require.NoError(t, err)
	_, err = b.Head(ctx, "k")
	require.NoError(t, err)
	obj, err := b.Get(ctx, "k", nil)
	require.NoError(t, err)
	obj.Body.Close()
	_, err = b.List(ctx, nil)
	require.NoError(t, err)
	u, err := b.CreateMultipartUpload(ctx, "m", nil)
	require.NoError(t, err)
	p, err := u.UploadPart(ctx, 1, strings.NewReader("x"), nil)
	require.NoError(t, err)
	_, err = u.Complete(ctx, []r2.UploadedPart{p})
	require.NoError(t, err)
	require.NoError(t, b.Delete(ctx, "k"))
	require.Equal(t, 8, ctx.Subrequests())
	require.NoError(t, u.Abort(ctx))
	_, err = b.Head(ctx, "m")
	require.ErrorIs(t, err, worker.ErrSubrequestLimit)
	_, err = b.Put(ctx, "k", strings.NewReader("v"), nil)
	require.ErrorIs(t, err, worker.ErrSubrequestLimit)
}
