// Command buildtags prints which variant of feature it was built with:
// feature_on.go with -tags feature, feature_off.go without. A breakpoint
// in the file the build left out cannot bind, so whether build flags
// reached the build shows in the editor.
//
// Build variants: debug builds, with and without -tags feature. Expected
// doctor findings: none with -N -l.
package main

import "fmt"

func main() {
	fmt.Println("feature", feature()) // dlvx:mark print
}
