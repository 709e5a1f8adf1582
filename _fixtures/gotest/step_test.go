package gotest

import "testing"

func TestStep(t *testing.T) {
	if got := Step(2); got != 4 {
		t.Fatalf("Step(2) = %d, want 4", got)
	}
}

// TestOther fails: a session that runs every test, not only TestStep,
// shows it.
func TestOther(t *testing.T) {
	t.Fatal("TestOther ran")
}
