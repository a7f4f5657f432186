package datadir

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestSecondHolderRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Acquire: %v, want ErrInUse", err)
	}
	if want := "data folder " + dir + " is in use by another footprint process"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	_ = l2.Close()
}

// TestOtherProcess holds the folder in a child process: this one is
// refused while the child lives, and takes it once the child is killed.
func TestOtherProcess(t *testing.T) {
	if dir := os.Getenv("FOOTPRINT_DATADIR_CHILD"); dir != "" {
		if _, err := Acquire(dir); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("held\n")
		time.Sleep(time.Hour) // until killed
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestOtherProcess$")
	cmd.Env = append(os.Environ(), "FOOTPRINT_DATADIR_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || !strings.HasPrefix(string(buf), "held") {
		t.Fatalf("child: %q %v", buf, err)
	}
	if _, err := Acquire(dir); !errors.Is(err, ErrInUse) {
		t.Fatalf("while the child holds it: %v", err)
	}
	_ = cmd.Process.Kill() // SIGKILL: the kernel drops the lock
	_ = cmd.Wait()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after the child was killed: %v", err)
	}
	_ = l.Close()
}
