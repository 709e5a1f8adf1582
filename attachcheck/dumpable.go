package attachcheck

// NonDumpable reports whether the process is not dumpable, by the sign
// the kernel leaves in /proc (its files belong to root while it runs as
// another user). It is false when the process runs as root: then /proc
// cannot tell.
func (s *Snapshot) NonDumpable() bool { return s.Exists() && s.nonDumpable() }
