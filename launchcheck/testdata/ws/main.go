// Command ws is the workspace the launch.json cases of launchcheck debug:
// a main package of two files, so a program naming one file misses the
// other.
package main

import "fmt"

func main() {
	total := 0
	for i := range 3 {
		total += step(i) // dlvx:mark loop
	}
	fmt.Println("total", total)
}
