package api

import "github.com/gin-gonic/gin"

// withConsole adds the console's operations to handlers.
func (s *Server) withConsole(handlers map[string]gin.HandlerFunc) map[string]gin.HandlerFunc {
	for _, op := range []string{"getConsole", "getConsolePage", "getConsoleAsset"} {
		handlers[op] = s.console
	}
	return handlers
}

// console serves the web console's routes (GET /console, /console/{page},
// /console/assets/{asset}) with Config.Console, after the contract's
// validation; 404 when the console is off.
func (s *Server) console(c *gin.Context) {
	if s.cfg.Console == nil {
		s.fail(c, errNoRoute)
		return
	}
	s.cfg.Console.ServeHTTP(c.Writer, c.Request)
}
