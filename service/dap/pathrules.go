package dap

import (
	"context"

	"github.com/dlvx/dlvx/srcpath"
)

type pathRulesKey struct{}

// withPathRules returns ctx carrying the session's substitutePath rules.
func withPathRules(ctx context.Context, rules []srcpath.PathRule) context.Context {
	if len(rules) == 0 {
		return ctx
	}
	return context.WithValue(ctx, pathRulesKey{}, rules)
}

// PathRules returns the substitutePath rules of the session a
// BreakpointExplainer is asked about, in the order the client gave them.
// Delve has already applied them to the path it failed to find; an
// explainer applies them too, so that it judges the same path and does
// not propose a rule the user already has.
func PathRules(ctx context.Context) []srcpath.PathRule {
	rules, _ := ctx.Value(pathRulesKey{}).([]srcpath.PathRule)
	return rules
}
