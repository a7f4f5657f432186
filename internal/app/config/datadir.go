package config

import (
	"errors"
	"path/filepath"
	"strings"
)

// appName is the folder footprint's data lives in under the per-user data
// folder.
const appName = "footprint"

// DefaultDataDir returns the per-user data folder for the operating system
// goos (pass runtime.GOOS), reading the environment only through env:
//
//   - darwin: $HOME/Library/Application Support/footprint
//   - windows: %LocalAppData%\footprint
//   - others: $XDG_DATA_HOME/footprint when XDG_DATA_HOME is an absolute
//     path (the XDG spec says to ignore a relative one), else
//     $HOME/.local/share/footprint
//
// It fails when the variables it needs are unset or empty.
func DefaultDataDir(goos string, env func(string) (string, bool)) (string, error) {
	get := func(name string) string { v, _ := env(name); return v }
	switch goos {
	case "darwin", "ios":
		if home := get("HOME"); home != "" {
			return filepath.Join(home, "Library", "Application Support", appName), nil
		}
		return "", errors.New("no default data folder: HOME is not set")
	case "windows":
		if dir := get("LocalAppData"); dir != "" {
			return filepath.Join(dir, appName), nil
		}
		return "", errors.New("no default data folder: LocalAppData is not set")
	}
	if xdg := get("XDG_DATA_HOME"); xdg != "" && strings.HasPrefix(xdg, "/") {
		return filepath.Join(xdg, appName), nil
	}
	if home := get("HOME"); home != "" {
		return filepath.Join(home, ".local", "share", appName), nil
	}
	return "", errors.New("no default data folder: neither XDG_DATA_HOME nor HOME is set")
}

// expandHome replaces a leading "~" or "~/" with $HOME; anything else, or a
// missing HOME, leaves p as it is.
func expandHome(p string, env func(string) (string, bool)) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, _ := env("HOME")
	if home == "" {
		return p
	}
	return filepath.Join(home, p[1:])
}
