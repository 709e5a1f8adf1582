package dap

import "context"

// A PathRule is one entry of a launch or attach request's substitutePath,
// in DAP orientation: From is a prefix of the client's (editor's) paths,
// To the prefix the debugged binary records.
type PathRule struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type pathRulesKey struct{}

// withPathRules returns ctx carrying the session's substitutePath rules.
func withPathRules(ctx context.Context, rules []PathRule) context.Context {
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
func PathRules(ctx context.Context) []PathRule {
	rules, _ := ctx.Value(pathRulesKey{}).([]PathRule)
	return rules
}
