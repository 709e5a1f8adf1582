//go:build !feature

package main

// feature is the variant built without -tags feature.
func feature() string {
	return "off" // dlvx:mark feature-off
}
