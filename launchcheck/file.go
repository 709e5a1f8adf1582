package launchcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/tailscale/hujson"
)

// A File is a parsed launch.json.
type File struct {
	Path    string
	Data    []byte    // as read
	Configs []*Config // "configurations", in file order
}

// A Config is one entry of "configurations", with where each attribute
// was written.
type Config struct {
	Index int    // position in "configurations"
	Name  string // its "name", or ""
	Pos   Pos    // of the opening brace
	Keys  []string
	Attrs map[string]Attr
	// Request is the DAP command ("launch", "attach") whose arguments
	// the configuration is (ParseRequest), "" for launch.json.
	Request string
}

// An Attr is one attribute of a configuration.
type Attr struct {
	Key   string
	Value json.RawMessage // standard JSON: comments and trailing commas removed
	Pos   Pos             // of the key
}

// Pos is a 1-based line and column in launch.json.
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// ErrNoConfigurations reports a launch.json without a "configurations"
// array.
var ErrNoConfigurations = errors.New(`no "configurations" array`)

// A ParseError reports a launch.json that VS Code could not read either.
// Err comes from the JSONC parser and names the line and column.
type ParseError struct {
	Path string
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("parse %s: %v", e.Path, e.Err) }
func (e *ParseError) Unwrap() error { return e.Err }

// ReadFile reads and parses the launch.json at path.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read launch configuration: %w", err)
	}
	return Parse(path, data)
}

// Parse parses launch.json contents the way VS Code reads them: JSON with
// comments and trailing commas (JSONC, through github.com/tailscale/hujson).
func Parse(path string, data []byte) (*File, error) {
	root, err := hujson.Parse(data)
	if err != nil {
		return nil, &ParseError{Path: path, Err: err}
	}
	top, ok := root.Value.(*hujson.Object)
	if !ok {
		return nil, &ParseError{Path: path, Err: fmt.Errorf("line %s: top level is not an object", lineCol(data, root.StartOffset))}
	}
	f := &File{Path: path, Data: data}
	for _, m := range top.Members {
		if memberName(m) != "configurations" {
			continue
		}
		arr, ok := m.Value.Value.(*hujson.Array)
		if !ok {
			return nil, &ParseError{Path: path, Err: fmt.Errorf("line %s: \"configurations\" is not an array", lineCol(data, m.Value.StartOffset))}
		}
		for i := range arr.Elements {
			c, err := newConfig(data, i, &arr.Elements[i])
			if err != nil {
				return nil, &ParseError{Path: path, Err: err}
			}
			f.Configs = append(f.Configs, c)
		}
		return f, nil
	}
	return nil, &ParseError{Path: path, Err: ErrNoConfigurations}
}

func newConfig(data []byte, i int, v *hujson.Value) (*Config, error) {
	obj, ok := v.Value.(*hujson.Object)
	if !ok {
		return nil, fmt.Errorf("line %s: configuration %d is not an object", lineCol(data, v.StartOffset), i)
	}
	c := &Config{Index: i, Pos: posAt(data, v.StartOffset), Attrs: map[string]Attr{}}
	for _, m := range obj.Members {
		key := memberName(m)
		val := m.Value.Clone()
		val.Standardize()
		raw := bytes.TrimSpace(val.Pack())
		c.Keys = append(c.Keys, key)
		c.Attrs[key] = Attr{Key: key, Value: raw, Pos: posAt(data, m.Name.StartOffset+leadingSpace(data[m.Name.StartOffset:]))}
	}
	c.Name, _ = c.String("name")
	return c, nil
}

// memberName returns an object member's key.
func memberName(m hujson.ObjectMember) string {
	if lit, ok := m.Name.Value.(hujson.Literal); ok {
		return lit.String()
	}
	return ""
}

// leadingSpace counts the whitespace and comments hujson attaches before a
// value, so positions point at the key itself.
func leadingSpace(b []byte) int {
	n := 0
	for n < len(b) {
		switch {
		case b[n] == ' ' || b[n] == '\t' || b[n] == '\n' || b[n] == '\r':
			n++
		case bytes.HasPrefix(b[n:], []byte("//")):
			end := bytes.IndexByte(b[n:], '\n')
			if end < 0 {
				return len(b)
			}
			n += end + 1
		case bytes.HasPrefix(b[n:], []byte("/*")):
			end := bytes.Index(b[n+2:], []byte("*/"))
			if end < 0 {
				return len(b)
			}
			n += end + 4
		default:
			return n
		}
	}
	return n
}

func posAt(b []byte, off int) Pos {
	off = min(off, len(b))
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	return Pos{Line: line, Col: 1 + off - (bytes.LastIndexByte(b[:off], '\n') + 1)}
}

func lineCol(b []byte, off int) string { return posAt(b, off).String() }

// String returns a string attribute's value as written (before variable
// expansion).
func (c *Config) String(key string) (string, bool) {
	a, ok := c.Attrs[key]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(a.Value, &s) != nil {
		return "", false
	}
	return s, true
}

// Label names the configuration in evidence: its name, or its position.
func (c *Config) Label() string {
	switch {
	case c.Name != "":
		return fmt.Sprintf("configuration %q", c.Name)
	case c.Request != "":
		return "the " + c.Request + " request"
	}
	return fmt.Sprintf("configuration #%d", c.Index+1)
}
