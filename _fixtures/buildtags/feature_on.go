//go:build feature

package main

// feature is the variant built with -tags feature.
func feature() string {
	return "on" // dlvx:mark feature-on
}
