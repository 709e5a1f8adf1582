package main

// step is in a file of its own: building main.go alone leaves it out.
func step(i int) int {
	return i * 2 // dlvx:mark step
}
