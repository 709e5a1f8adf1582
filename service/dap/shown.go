package dap

import (
	"context"
	"slices"
	"sync"
)

// causeSet holds the causes (finding IDs) a session showed: one message
// per cause, once.
type causeSet struct {
	mu  sync.Mutex
	ids []string
}

func (c *causeSet) add(ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if !slices.Contains(c.ids, id) {
			c.ids = append(c.ids, id)
		}
	}
}

func (c *causeSet) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ids)
}

type shownKey struct{}

// withShown returns ctx carrying the causes the session already showed.
func withShown(ctx context.Context, ids []string) context.Context {
	if len(ids) == 0 {
		return ctx
	}
	return context.WithValue(ctx, shownKey{}, ids)
}

// Shown returns the causes (finding IDs) the session already showed, in
// the order it showed them: the launch lint's, before a Doctor examines
// the executable Delve built. A Doctor leaves out a finding these say,
// or explain (ENV-IDECONF-TRIMPATH is the cause of BP-TRIMPATH).
func Shown(ctx context.Context) []string {
	ids, _ := ctx.Value(shownKey{}).([]string)
	return ids
}
