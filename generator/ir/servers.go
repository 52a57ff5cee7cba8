package ir

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/naming"
)

// buildServers names every server: Server<Name>URL and
// Server<Name>Options, from the server's name, else its position.
func (b *builder) buildServers() {
	for i, srv := range b.doc.Servers {
		s := &Server{Model: srv}
		o := owner{what: fmt.Sprintf("server %q", srv.Name), loc: srv.Loc}
		cands := []candidate{
			{base: "Server" + naming.Pascal(srv.Name), source: "the server name " + strconv.Quote(srv.Name)},
			{base: "Server" + strconv.Itoa(i+1), source: "its position"},
		}
		if naming.Pascal(srv.Name) == "" {
			cands = cands[1:]
		}
		base := b.ns.claim(o, cands, func(base string) []string { return []string{base + "URL", base + "Options"} })
		s.URLConst, s.OptionsFunc = base+"URL", base+"Options"
		b.pkg.Servers = append(b.pkg.Servers, s)
	}
}

// ServerURL is a server's URL with its {variables} filled with their
// defaults; variables without a default stay as written.
func ServerURL(s *Server) string {
	url := s.Model.URL
	for _, v := range s.Model.Variables {
		if v.Default != "" {
			url = strings.ReplaceAll(url, "{"+v.Name+"}", v.Default)
		}
	}
	return url
}
