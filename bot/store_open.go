package bot

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Recovery says what OpenStore did about a damaged bot.db: where the damaged
// file went, how many records of each bucket were salvaged into the fresh
// store, and why the file counted as damaged.
type Recovery struct {
	Aside    string
	Reason   string
	Salvaged map[string]int
}

// ErrStoreHeld is returned by OpenStore when another process holds the
// store: a second serve on the same DATA_DIR.
var ErrStoreHeld = errors.New("another instance holds the store")

// damageError says that bot.db cannot be trusted: bbolt refused it, panicked
// on it, or found it inconsistent.
type damageError struct{ reason string }

func (e *damageError) Error() string { return "damaged store: " + e.reason }

// OpenStore opens (creating if needed) the store in dir. A damaged file
// never stops the bot: bbolt trusts its file and panics deep inside on a bad
// page, so the file is opened, walked and checked with panics and memory
// faults recovered; if any of that fails, the file is moved aside as
// bot.db.damaged-<UTC time>, what can still be read is copied into a fresh
// store (pending questions and undelivered answers first) and Recovery says
// so. A store held by another process is ErrStoreHeld.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, "bot.db")
	pidFile := filepath.Join(dir, "bot.pid")
	db, err := openChecked(path, false)
	var rec *Recovery
	var damaged *damageError
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		holder := ""
		if b, rerr := os.ReadFile(pidFile); rerr == nil {
			holder = " (process " + strings.TrimSpace(string(b)) + ")"
		}
		return nil, fmt.Errorf("%w: %s is locked by another gonghui-qa serve%s; stop it, or give this one its own DATA_DIR: %w",
			ErrStoreHeld, path, holder, err)
	case errors.As(err, &damaged):
		aside := path + ".damaged-" + time.Now().UTC().Format("20060102T150405.000Z")
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("move damaged store %s aside: %w (it was damaged: %w)", path, rerr, err)
		}
		if db, err = openChecked(path, false); err != nil {
			return nil, fmt.Errorf("open fresh bot store %s: %w", path, err)
		}
		rec = &Recovery{Aside: aside, Reason: damaged.reason, Salvaged: salvage(aside, db)}
	case err != nil:
		return nil, fmt.Errorf("open bot store %s: %w", path, err)
	}
	in, err := openInflight(filepath.Join(dir, "bot.inflight"))
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, path: path, recovery: rec, inflight: in}
	if err := s.init(); err != nil {
		db.Close()
		in.close()
		return nil, fmt.Errorf("init bot store: %w", err)
	}
	// Answers finish concurrently from several workers; a short batch window
	// lets one fsync cover many of them without slowing a lone answer much.
	db.MaxBatchDelay = 2 * time.Millisecond
	_ = os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600) // names the holder to a second instance
	return s, nil
}

// init creates the buckets and the key for user hashes.
func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySalt); len(v) >= 16 {
			s.salt = append([]byte(nil), v...)
			return nil
		}
		s.salt = make([]byte, 32)
		if _, err := rand.Read(s.salt); err != nil {
			return err
		}
		return meta.Put(keySalt, s.salt)
	})
}

// Recovery returns what was done about a damaged file at open, or nil.
func (s *Store) Recovery() *Recovery { return s.recovery }

// Close closes the store.
func (s *Store) Close() error {
	_ = s.inflight.close()
	return s.db.Close()
}

// boltOptions are the store's bbolt options. The freelist is not written to
// the file but rebuilt at open (bbolt's NoFreelistSync): commits write less,
// and a damaged freelist page, one of the panics seen in the field, cannot
// occur.
func boltOptions(readOnly bool, opened **os.File) *bolt.Options {
	return &bolt.Options{
		Timeout:        2 * time.Second,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		ReadOnly:       readOnly,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, mode)
			*opened = f
			return f, err
		},
	}
}

// openChecked opens the bbolt file at path and, unless readOnly, checks it
// first: bbolt runs parts of its own walk of the file on goroutines of its
// own (the freelist rebuild at open, tx.Check), where a panic on a bad page
// cannot be recovered, so every record is read here first, read-only, on
// this goroutine, with panics and memory faults recovered. Then the file is
// opened for writing and bbolt's check runs. A panic or fault on the way, a
// file that is not a sound bbolt file, or a failed check is a *damageError;
// a lock held elsewhere is berrors.ErrTimeout.
func openChecked(path string, readOnly bool) (*bolt.DB, error) {
	if readOnly {
		return openRecovered(path, true)
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		db, err := openRecovered(path, true)
		if err != nil {
			return nil, err
		}
		werr := walkRecovered(db)
		closeQuietly(db)
		if werr != nil {
			return nil, werr
		}
	}
	db, err := openRecovered(path, false)
	if err != nil {
		return nil, err
	}
	if err := verify(db); err != nil {
		closeQuietly(db)
		return nil, &damageError{reason: err.Error()}
	}
	return db, nil
}

// openRecovered is bolt.Open with panics and memory faults turned into a
// *damageError.
func openRecovered(path string, readOnly bool) (db *bolt.DB, err error) {
	var file *os.File
	defer func() {
		if p := recover(); p != nil {
			if file != nil {
				file.Close() // releases the lock bbolt took; the mapping stays (once)
			}
			db, err = nil, &damageError{reason: fmt.Sprint(p)}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db, err = bolt.Open(path, 0o600, boltOptions(readOnly, &file))
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) || isFileError(err) {
			return nil, err
		}
		return nil, &damageError{reason: err.Error()}
	}
	return db, nil
}

// walkRecovered reads every key and value of every bucket of db, so that a
// bad page panics or faults here, where it is recovered as a *damageError.
func walkRecovered(db *bolt.DB) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &damageError{reason: fmt.Sprint(p)}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return db.View(func(tx *bolt.Tx) error {
		var sum byte
		var walk func(b *bolt.Bucket) error
		walk = func(b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					if child := b.Bucket(k); child != nil {
						return walk(child)
					}
					return nil
				}
				for _, c := range v {
					sum ^= c
				}
				return nil
			})
		}
		err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walk(b) })
		_ = sum
		return err
	})
}

// isFileError reports whether err is about reaching the file (permissions,
// a missing folder, a read-only disk) rather than what is in it.
func isFileError(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && !errors.Is(err, berrors.ErrInvalid)
}

// verify runs bbolt's own check of the page structure (pages reachable
// once, the freelist); every page was read before, so it cannot fault.
func verify(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		var problems []string
		for cerr := range tx.Check() {
			if len(problems) < 3 {
				problems = append(problems, cerr.Error())
			}
		}
		if len(problems) > 0 {
			return errors.New(strings.Join(problems, "; "))
		}
		return nil
	})
}

func closeQuietly(db *bolt.DB) {
	defer func() { _ = recover() }()
	_ = db.Close()
}

// salvage copies what can still be read of the damaged file at path into
// db, bucket by bucket in allBuckets' order, and returns how many records of
// each it copied. Reading stops at the first bad page of a bucket; what was
// read before it is kept.
func salvage(path string, into *bolt.DB) map[string]int {
	got := map[string]int{}
	src, err := openChecked(path, true)
	if err != nil {
		return got
	}
	defer closeQuietly(src)
	for _, name := range allBuckets {
		pairs := readBucket(src, name)
		if len(pairs) == 0 {
			continue
		}
		err := into.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for _, kv := range pairs {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			got[string(name)] = len(pairs)
		}
	}
	return got
}

// readBucket returns copies of the records of one bucket of a damaged file,
// as many as can be read before a bad page.
func readBucket(db *bolt.DB, name []byte) (pairs [][2][]byte) {
	defer func() { _ = recover() }()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	_ = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(name)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v == nil {
				continue // a nested bucket: the store has none
			}
			pairs = append(pairs, [2][]byte{append([]byte(nil), k...), append([]byte(nil), v...)})
		}
		return nil
	})
	return pairs
}
