package host

import (
	"io"
	"log/slog"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the runner's zap logger: console lines, buffered so that one line per
// request does not cost a write system call per request. It is flushed every second and
// at shutdown (Sync).
func newLogger(w io.Writer, level string) (*zap.Logger, *zapcore.BufferedWriteSyncer, error) {
	lvl, err := zapcore.ParseLevel(strings.ToLower(level))
	if err != nil {
		return nil, nil, err
	}
	enc := zap.NewDevelopmentEncoderConfig()
	enc.EncodeTime = zapcore.TimeEncoderOfLayout(time.TimeOnly + ".000")
	enc.EncodeLevel = zapcore.CapitalLevelEncoder
	buf := &zapcore.BufferedWriteSyncer{WS: zapcore.AddSync(w), Size: 64 << 10, FlushInterval: time.Second}
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), buf, lvl)
	return zap.New(core), buf, nil
}

// slogFor returns a *slog.Logger writing through z (what worker code gets from ctx.Logger()).
func slogFor(z *zap.Logger) *slog.Logger {
	return slog.New(zapslog.NewHandler(z.Core()))
}
