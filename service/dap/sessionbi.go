package dap

import (
	"context"

	"github.com/go-delve/delve/pkg/proc"
)

type binaryInfoKey struct{}

// WithBinaryInfo returns ctx carrying bi, the BinaryInfo of the session a
// BreakpointExplainer is asked about (BinaryInfo). The layer calls it with
// Delve's target lock held; a test of an explainer, with a BinaryInfo of
// its own.
func WithBinaryInfo(ctx context.Context, bi *proc.BinaryInfo) context.Context {
	if bi == nil {
		return ctx
	}
	return context.WithValue(ctx, binaryInfoKey{}, bi)
}

// BinaryInfo returns the BinaryInfo the session's debugger loaded for the
// executable a BreakpointExplainer is asked about, nil when the session
// has none the explainer may read now (no launch yet, or the target is
// running). The layer holds Delve's target lock for the whole call: the
// explainer reads it there and keeps no reference to it.
func BinaryInfo(ctx context.Context) *proc.BinaryInfo {
	bi, _ := ctx.Value(binaryInfoKey{}).(*proc.BinaryInfo)
	return bi
}

// withBinInfo runs f with the BinaryInfo of the session's debugger under
// Delve's target lock, waiting for the lock at most lockWait; it reports
// false, without running f, when there is no debugger or binary yet or
// the target is running.
func (s *session) withBinInfo(f func(*proc.BinaryInfo)) bool {
	d := s.debugger()
	if d == nil || d.IsRunning() {
		return false
	}
	grp, unlock, ok := tryLockTarget(d, lockWait)
	if !ok {
		return false
	}
	defer unlock()
	if grp == nil || grp.Selected == nil || grp.Selected.BinInfo() == nil {
		return false
	}
	f(grp.Selected.BinInfo())
	return true
}
