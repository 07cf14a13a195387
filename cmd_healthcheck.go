package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gonghui/qa/config"
)

// healthcheck probes a running serve's /healthz and fails unless it answers
// 200, so that an image without a shell (distroless) can have a
// HEALTHCHECK. The address is METRICS_ADDR's, on loopback when it binds all
// interfaces, or -url.
func healthcheck(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	target := fl.String("url", "", "the /healthz address (default: from METRICS_ADDR)")
	timeout := fl.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := fl.Parse(args); err != nil || fl.NArg() > 0 || *timeout <= 0 {
		return usageError{"usage: gonghui-qa healthcheck [-url http://127.0.0.1:9090/healthz] [-timeout 5s]"}
	}
	if *target == "" {
		if cfg.MetricsAddr == "" {
			// Exit 1, not 2: Docker reserves 2 in a HEALTHCHECK.
			return errors.New("healthcheck: METRICS_ADDR is not set: serve exposes /healthz only with METRICS_ADDR (e.g. 127.0.0.1:9090)")
		}
		*target = healthzURL(cfg.MetricsAddr)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return usageError{"healthcheck: " + err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: unhealthy (HTTP %d): %s", resp.StatusCode, text)
	}
	fmt.Fprintln(stdout, text)
	return nil
}

// healthzURL is where a serve with METRICS_ADDR=addr answers /healthz; an
// address that binds all interfaces is reached on loopback.
func healthzURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/healthz"
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
