package bookmark

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// D1-036: the platform's shape, sorting oldest to newest.
func TestFormat_D1036_ShapeAndOrder(t *testing.T) {
	key := []byte("db")
	var bs []string
	for _, seq := range []uint64{0, 1, 9, 10, 255, 1 << 32, 1<<32 + 1} {
		b := Format(key, seq)
		require.True(t, Valid(b), b)
		require.Len(t, b, Len)
		got, err := Parse(key, b)
		require.NoError(t, err)
		require.Equal(t, seq, got)
		bs = append(bs, b)
	}
	require.True(t, sort.StringsAreSorted(bs), bs)
	require.Equal(t, Format(key, 42), Format(key, 42))
}

func TestParse_RejectsForeignAndMalformed(t *testing.T) {
	b := Format([]byte("a"), 7)
	_, err := Parse([]byte("b"), b)
	require.ErrorIs(t, err, ErrInvalid)
	for _, s := range []string{"", "first-primary", "00000085-0000024c-00004c6d-8E61117BF38D7ADB71B934EBBF891683", b[:len(b)-1] + "g"} {
		_, err := Parse([]byte("a"), s)
		require.ErrorIs(t, err, ErrInvalid, s)
	}
	require.True(t, Valid("00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683"))
}
