package main

import (
	"io"

	"github.com/dlvx/dlvx/service/dap"
	delvedap "github.com/go-delve/delve/service/dap"
)

// installEditorHook gives the DAP layer each Delve DAP session (patch
// 0012), so that it can answer the editor requests Delve does not:
// breakpointLocations, gotoTargets and goto, stepInTargets, completions.
// A session reading one of the layer's connections is bound to it; a
// headless server's sessions read a wrapper of it and share the server's
// debugger.
func installEditorHook() {
	delvedap.SessionStarted = func(conn io.ReadWriteCloser, s *delvedap.Session) {
		if !dap.BindDelve(conn, s) {
			dapLayer.ServeDelve(s)
		}
	}
}
