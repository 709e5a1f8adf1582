package srcpath

import (
	"slices"
	"testing"
)

func TestInferRule(t *testing.T) {
	ws := []string{"/home/ana/svc/main.go", "/home/ana/svc/api/handler.go", "/home/ana/svc/api/util.go"}
	tests := []struct {
		name string
		bin  []string
		fold bool
		want PathRule
	}{
		{"same paths", []string{"/home/ana/svc/main.go", "/home/ana/svc/api/handler.go"}, false, PathRule{From: "/home/ana/svc", To: "/home/ana/svc"}},
		{"container build", []string{"/app/main.go", "/app/api/handler.go", "/usr/local/go/src/fmt/print.go"}, false,
			PathRule{From: "/home/ana/svc", To: "/app"}},
		{"trimpath", []string{"example.com/svc/main.go", "example.com/svc/api/handler.go", "fmt/print.go"}, false,
			PathRule{From: "/home/ana/svc", To: "example.com/svc"}},
		{"letter case", []string{"/home/ana/SVC/main.go", "/home/ana/SVC/api/handler.go"}, true,
			PathRule{From: "/home/ana/svc", To: "/home/ana/SVC"}},
	}
	// Two files named main.go: each binary file votes through the
	// workspace file it matches longest (util/main.go, not main.go).
	shop := []string{"/home/me/shop/main.go", "/home/me/shop/util/main.go"}
	if got, n := Infer("/home/me/shop", shop, []string{"/ci/build/util/main.go", "/ci/build/main.go"}, false); got.To != "/ci/build" || n != 2 {
		t.Errorf("same base names: inferRule = %+v (%d votes), want /ci/build with 2", got, n)
	}
	for _, tc := range tests {
		got, n := Infer("/home/ana/svc", ws, tc.bin, tc.fold)
		if got != tc.want || n == 0 {
			t.Errorf("%s: inferRule = %+v (%d votes), want %+v", tc.name, got, n, tc.want)
		}
		if got.From != got.To {
			if mapped := Apply(ws[1], []PathRule{got}); !slices.Contains(tc.bin, mapped) {
				t.Errorf("%s: rule maps %s to %s, not a binary file", tc.name, ws[1], mapped)
			}
		}
	}
}
