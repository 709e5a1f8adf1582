package main

import "testing"

// TestStep is the test the "mode": "test" cases run.
func TestStep(t *testing.T) {
	if got := step(2); got != 4 {
		t.Fatalf("step(2) = %d", got)
	}
}
