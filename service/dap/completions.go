package dap

import (
	"go/constant"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"
	godap "github.com/google/go-dap"
)

// consoleCommands are the commands Delve's DAP server runs when the Debug
// Console input starts with "dlv " (its service/dap command table, which
// is unexported). TestConsoleCommandsAreDelves checks each against Delve.
var consoleCommands = []string{"config", "examinemem", "help", "sources", "target", "types"}

// maxCompletions bounds the items of one answer.
const maxCompletions = 200

var (
	mapKeyTail = regexp.MustCompile(`([A-Za-z_][\w.]*)\[("?[^"\]]*)$`)
	fieldTail  = regexp.MustCompile(`([A-Za-z_][\w.]*)\.(\w*)$`)
	nameTail   = regexp.MustCompile(`[A-Za-z_]\w*$`)
)

// onCompletions completes the Debug Console input before the cursor: dlv
// console commands after "dlv ", the keys of a map after "m[", the fields
// of a struct (or of the struct a pointer points to) after "p.", and
// otherwise the arguments and locals in scope of the frame.
func (s *session) onCompletions(msg godap.Message) error {
	req, ok := msg.(*godap.CompletionsRequest)
	if !ok {
		return nil
	}
	text := req.Arguments.Text
	before := text[:max(0, min(req.Arguments.Column-1, len(text)))]
	var items []godap.CompletionItem
	if rest, ok := strings.CutPrefix(before, "dlv "); ok {
		if !strings.Contains(rest, " ") {
			items = complete(consoleCommands, rest, len(before)-len(rest), "", "function")
		}
		s.reply(msg, godap.CompletionsResponseBody{Targets: nonNil(items)})
		return nil
	}
	d, err := s.stoppedDebugger()
	if err != nil {
		return err
	}
	fr, err := s.frame(req.Arguments.FrameId)
	if err != nil {
		return err
	}
	items = completeExpr(d, fr, before)
	s.reply(msg, godap.CompletionsResponseBody{Targets: nonNil(items)})
	return nil
}

// completeExpr completes the expression at the end of before.
func completeExpr(d *debugger.Debugger, fr frameRef, before string) []godap.CompletionItem {
	cfg := proc.LoadConfig{FollowPointers: true, MaxVariableRecurse: 1, MaxStringLen: 64, MaxArrayValues: 64, MaxStructFields: -1}
	if m := mapKeyTail.FindStringSubmatchIndex(before); m != nil {
		expr, partial := before[m[2]:m[3]], before[m[4]:m[5]]
		v, err := d.EvalVariableInScope(fr.goroutine, fr.depth, 0, expr, cfg)
		if err != nil || v.Kind != reflect.Map {
			return nil
		}
		var keys []string
		for i := 0; i+1 < len(v.Children); i += 2 {
			keys = append(keys, keyLiteral(&v.Children[i]))
		}
		return complete(keys, partial, m[4], "]", "value")
	}
	if m := fieldTail.FindStringSubmatchIndex(before); m != nil {
		expr, partial := before[m[2]:m[3]], before[m[4]:m[5]]
		v, err := d.EvalVariableInScope(fr.goroutine, fr.depth, 0, expr, cfg)
		if err != nil {
			return nil
		}
		if v.Kind == reflect.Ptr && len(v.Children) == 1 {
			v = &v.Children[0]
		}
		if v.Kind != reflect.Struct {
			return nil
		}
		var names []string
		for _, c := range v.Children {
			names = append(names, c.Name)
		}
		return complete(names, partial, m[4], "", "field")
	}
	partial := nameTail.FindString(before)
	small := proc.LoadConfig{}
	var names []string
	seen := map[string]bool{}
	for _, list := range [](func() ([]*proc.Variable, error)){
		func() ([]*proc.Variable, error) { return d.FunctionArguments(fr.goroutine, fr.depth, 0, small) },
		func() ([]*proc.Variable, error) { return d.LocalVariables(fr.goroutine, fr.depth, 0, small) },
	} {
		vars, err := list()
		if err != nil {
			continue
		}
		for _, v := range vars {
			if !seen[v.Name] && !strings.Contains(v.Name, "~") {
				seen[v.Name] = true
				names = append(names, v.Name)
			}
		}
	}
	return complete(names, partial, len(before)-len(partial), "", "variable")
}

// keyLiteral writes a map key as Go source, for a completion after "m[".
func keyLiteral(k *proc.Variable) string {
	if k.Value == nil {
		return ""
	}
	if k.Value.Kind() == constant.String {
		return strconv.Quote(constant.StringVal(k.Value))
	}
	return k.Value.ExactString()
}

// complete returns the candidates that start with partial, sorted, as
// items replacing partial (at byte offset start of the input) with the
// candidate and suffix.
func complete(cands []string, partial string, start int, suffix, kind string) []godap.CompletionItem {
	sort.Strings(cands)
	var out []godap.CompletionItem
	for _, c := range cands {
		if c == "" || !strings.HasPrefix(c, partial) || len(out) == maxCompletions {
			continue
		}
		out = append(out, godap.CompletionItem{
			Label: c, Text: c + suffix, Type: godap.CompletionItemType(kind),
			Start: start + 1, Length: len(partial), // columns start at 1: Delve requires it
		})
	}
	return out
}

func nonNil(items []godap.CompletionItem) []godap.CompletionItem {
	if items == nil {
		return []godap.CompletionItem{}
	}
	return items
}
