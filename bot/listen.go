package bot

import (
	"crypto/subtle"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// ListenLimits bound what one connection may cost the webhook and metrics
// servers, so that idle, slow or unauthenticated clients cannot use up the
// process's file descriptors and keep Telegram's own POSTs out. Zero fields
// mean the defaults noted.
type ListenLimits struct {
	// ReadHeaderTimeout bounds reading a request's headers (default 5 s):
	// a client that trickles them (slowloris) is cut off.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included (default 30 s).
	ReadTimeout time.Duration
	// WriteTimeout bounds handling a request and writing the answer
	// (default 30 s).
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection with no new request
	// (default 60 s).
	IdleTimeout time.Duration
	// MaxHeaderBytes caps a request's headers (default 16 KB; larger get 431).
	MaxHeaderBytes int
	// MaxConns caps open connections per server (default 256; Telegram opens
	// at most 40 to a webhook). Further ones wait to be accepted.
	MaxConns int
}

func (l *ListenLimits) setDefaults() {
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = 5 * time.Second
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = 30 * time.Second
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = 30 * time.Second
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = 60 * time.Second
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = 16 << 10
	}
	if l.MaxConns <= 0 {
		l.MaxConns = 256
	}
}

// server is an http.Server for h with the limits applied, and the listener
// to serve it on, capped at MaxConns connections.
func (l ListenLimits) server(h http.Handler, ln net.Listener) (*http.Server, net.Listener) {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}, netutil.LimitListener(ln, l.MaxConns)
}

// closeUnauthenticated answers 401 to any request without Telegram's secret
// token, whatever its path, and closes the connection: only Telegram keeps
// a connection to the webhook open.
func closeUnauthenticated(secret string, next http.Handler) http.Handler {
	want := []byte(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("Connection", "close")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
