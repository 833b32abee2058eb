package safefile

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ReadFile reads a file the user named (token file, profile, fleet, CA
// file, saved report): a regular file of at most limit bytes. A directory,
// a named pipe, a device (/dev/zero, /dev/stdin) or a socket is refused
// with a *FileTypeError before a byte is read: opening does not wait for a
// pipe's writer (O_NONBLOCK), and nothing is read from an endless source.
// A file over limit is a *FileTypeError too: from its size, without
// reading it, or after limit+1 bytes if it grows while being read. Errors of the open itself (no such file, permission) come back
// wrapped in *fs.PathError as from os.Open.
func ReadFile(path string, limit int64) ([]byte, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if kind := fileKind(fi.Mode()); kind != "" {
		return nil, fi, &FileTypeError{Path: path, Msg: "is " + kind + ", not a regular file"}
	}
	tooLarge := &FileTypeError{Path: path, Msg: fmt.Sprintf("is larger than %s; not the file mfpcheck expects here", sizeText(limit))}
	if fi.Size() > limit {
		return nil, fi, tooLarge // known from its size: nothing is read
	}
	// One allocation of the file's size (plus one byte, to see a file that
	// grew past the limit meanwhile), not ReadAll's doublings.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+1))
	_, err = buf.ReadFrom(io.LimitReader(f, limit+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, fi, tooLarge
	}
	return data, fi, nil
}

// FileTypeError is a path that is not a regular file of a sensible size.
type FileTypeError struct {
	Path string
	Msg  string // "is a named pipe (FIFO), not a regular file"
}

func (e *FileTypeError) Error() string { return e.Path + ": " + e.Msg }

// fileKind names a file mode that is not a regular file ("" for one).
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// RegularOrMissing reports whether path is a regular file or does not
// exist: the files mfpcheck may replace (a token file, a PDF). A named
// pipe, a device or a folder is never replaced.
func RegularOrMissing(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	if kind := fileKind(fi.Mode()); kind != "" {
		return &FileTypeError{Path: path, Msg: "is " + kind + ", not a regular file; it is not replaced"}
	}
	return nil
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// WriteFileAtomic replaces path with data: written to a temporary file in
// the same folder with mode, synced, then renamed over path, so a reader
// sees the old file or the new one, never half of one.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // make the rename durable; not every file system allows it
		d.Close()
	}
	return nil
}
