package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Stamped by the linker for release builds (see Dockerfile):
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=$(git rev-parse HEAD) -X main.buildDate=$(date -u +%FT%TZ)"
//
// They are never assigned at run time. A plain go build in a git clone is
// described from the build information Go records instead.
var (
	version   string
	commit    string
	buildDate string
)

// build describes this binary: what was built, from which commit, when and
// with which Go.
type build struct {
	Version, Commit, Date, GoVersion string
	Modified                         bool // built from a work tree with uncommitted changes
}

// buildInfo is the linker's stamp where there is one, else what Go recorded
// (module version, VCS revision and time).
func buildInfo() build {
	b := build{Version: version, Commit: commit, Date: buildDate, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				b.Modified = commit == "" && s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// String is the version line: gonghui-qa 1.2.0 (commit 3fa2…, built …, go1.26.8 linux/amd64).
func (b build) String() string {
	c := b.Commit
	if b.Modified {
		c += "+modified"
	}
	return fmt.Sprintf("gonghui-qa %s (commit %s, built %s, %s %s/%s)", b.Version, c, b.Date, b.GoVersion, runtime.GOOS, runtime.GOARCH)
}

// printVersion is the version command.
func printVersion(stdout io.Writer) error {
	_, err := fmt.Fprintln(stdout, buildInfo())
	return err
}
