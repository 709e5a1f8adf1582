package dap

import "sync"

// sessions are the relay sessions a Middleware is serving.
type sessions struct {
	mu  sync.Mutex
	set map[*session]struct{}
}

func (ss *sessions) add(s *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.set == nil {
		ss.set = make(map[*session]struct{})
	}
	ss.set[s] = struct{}{}
}

func (ss *sessions) remove(s *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.set, s)
}

// all returns the sessions being served.
func (ss *sessions) all() []*session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := make([]*session, 0, len(ss.set))
	for s := range ss.set {
		out = append(out, s)
	}
	return out
}

// Notify shows rep, advice that arose while Delve served a request (the
// resolver's notices while a breakpoint is set), in every session being
// relayed, the way the doctor's report is shown at launch: as output
// events written from the calling goroutine, before Delve's response to
// the request. Delve's target is shared by the sessions of one process,
// so each gets it. Notify returns how many sessions it reached; with none
// the caller shows rep elsewhere (the terminal, a server's log).
func (m *Middleware) Notify(rep Report) int {
	live := m.live.all()
	for _, s := range live {
		s.show(rep)
	}
	return len(live)
}
