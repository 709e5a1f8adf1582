package main

import "github.com/go-delve/delve/cmd/dlv/cmds"

func main() { cmds.New(false).Execute() }
