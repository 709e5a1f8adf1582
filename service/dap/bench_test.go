package dap

import (
	"fmt"
	"net"
	"testing"
)

// echoAdapter answers every request read from c with a response, as
// Delve would, numbering its own messages.
func echoAdapter(c net.Conn) {
	fr := newFrameReader(c, "echo")
	for seq := 1; ; seq++ {
		content, err := fr.next()
		if err != nil {
			return
		}
		env, err := decodeEnvelope(content)
		if err != nil {
			return
		}
		resp := fmt.Sprintf(`{"seq":%d,"type":"response","request_seq":%d,"success":true,"command":%q,"body":{}}`, seq, *env.Seq, env.Command)
		if writeFrame(c, []byte(resp)) != nil {
			return
		}
	}
}

// BenchmarkRoundTrip measures one request and its response between a
// client on loopback TCP and an adapter, directly and through the layer:
// the difference is the latency the relay adds to every request.
func BenchmarkRoundTrip(b *testing.B) {
	for _, via := range []string{"direct", "relay"} {
		b.Run(via, func(b *testing.B) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			m := &Middleware{}
			go func() {
				c, err := l.Accept()
				if err != nil {
					return
				}
				if via == "relay" {
					c = m.Conn(c)
				}
				echoAdapter(c)
				c.Close()
			}()
			client, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer client.Close()
			fr := newFrameReader(client, "client")
			req := frame(`{"seq":1,"type":"request","command":"threads"}`)
			for b.Loop() {
				if _, err := client.Write(req); err != nil {
					b.Fatal(err)
				}
				if _, err := fr.next(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
