// Command tlog-client checks a C2SP tiled transparency log (c2sp.org/tlog-tiles,
// c2sp.org/tlog-checkpoint, c2sp.org/signed-note) over HTTP, knowing only its URL prefix
// and its note verifier key. It uses golang.org/x/mod's published sumdb/note and sumdb/tlog
// packages and nothing of the log's implementation:
//
//  1. fetch <prefix>/checkpoint and verify its signature with the verifier key; its origin
//     must be the prefix without scheme;
//  2. fetch every tile of the tree (full and partial), check that each full tile hashes to
//     its hash in the tile above, and rebuild the tree hash, which must equal the
//     checkpoint's root;
//  3. fetch every entry bundle and check each entry's RFC 6962 leaf hash against the
//     level-0 tiles;
//  4. for each older checkpoint given (-old FILE): verify it, rebuild its root from the
//     partial tiles of its size, and prove it consistent with the latest from the tiles;
//  5. with -witness VKEY (repeatable) and -quorum N: the latest checkpoint must also carry
//     valid cosignature/v1 lines (c2sp.org/tlog-cosignature) by N of those witnesses, checked
//     with transparency-dev/formats' published cosignature verifier.
//
// It prints one summary line and exits 0, or prints FAIL: <reason> and exits 1 (2 on usage).
package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is fixed by c2sp.org/tlog-tiles: 256 hashes per tile.
const tileHeight = 8

type oldFiles []string

func (o *oldFiles) String() string     { return strings.Join(*o, ",") }
func (o *oldFiles) Set(v string) error { *o = append(*o, v); return nil }

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

type client struct {
	prefix   string
	verifier note.Verifier
	http     *http.Client
	tiles    map[[2]int64]fetchedTile // (level, index) → the widest tile fetched
	fetches  int
}

type fetchedTile struct {
	tile tlog.Tile
	data []byte
}

func main() {
	var olds, witnesses oldFiles
	flag.Var(&olds, "old", "an earlier checkpoint (signed note file) to prove consistent with the latest; repeatable")
	flag.Var(&witnesses, "witness", "a witness's cosignature/v1 verifier key; the latest checkpoint must be cosigned by -quorum of them; repeatable")
	quorum := flag.Int("quorum", 1, "cosignatures needed from the -witness keys")
	origin := flag.String("origin", "", "expected checkpoint origin (default: the prefix without scheme)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: tlog-client [-old FILE]... [-witness VKEY]... [-quorum N] [-origin ORIGIN] <log URL prefix> <verifier key>\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	summary, err := run(strings.TrimRight(flag.Arg(0), "/"), flag.Arg(1), *origin, olds)
	if err == nil && len(witnesses) > 0 {
		var by string
		by, err = witnessed(strings.TrimRight(flag.Arg(0), "/"), witnesses, *quorum)
		summary += "; " + by
	}
	if err != nil {
		fmt.Printf("FAIL: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(summary)
}

func run(prefix, vkey, wantOrigin string, olds []string) (string, error) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return "", fmt.Errorf("verifier key: %w", err)
	}
	if wantOrigin == "" {
		wantOrigin = strings.TrimPrefix(strings.TrimPrefix(prefix, "https://"), "http://")
	}
	c := &client{prefix: prefix, verifier: verifier, http: &http.Client{Timeout: 30 * time.Second}, tiles: map[[2]int64]fetchedTile{}}

	// 1. The checkpoint, verified with the key.
	body, err := c.get("checkpoint", "text/plain; charset=utf-8")
	if err != nil {
		return "", err
	}
	latest, err := c.open(body, wantOrigin)
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	if latest.size == 0 {
		return fmt.Sprintf("OK: %s is empty (size 0); checkpoint signed by %s", latest.origin, verifier.Name()), nil
	}

	// 2. Every tile of the tree; the tree hash from them.
	tiles := tlog.NewTiles(tileHeight, 0, latest.size)
	partial := 0
	for _, t := range tiles {
		if err := c.fetchTile(t); err != nil {
			return "", err
		}
		if t.W < 1<<tileHeight {
			partial++
		}
	}
	for _, t := range tiles {
		if err := c.checkParent(t, latest.size); err != nil {
			return "", err
		}
	}
	root, err := tlog.TreeHash(latest.size, c.reader(latest.size))
	if err != nil {
		return "", fmt.Errorf("tree hash of size %d from the tiles: %w", latest.size, err)
	}
	if root != latest.root {
		return "", fmt.Errorf("the tiles hash to %s, the checkpoint of size %d says %s", root, latest.size, latest.root)
	}

	// 3. Every entry bundle against the level-0 tiles.
	entries, bundles := int64(0), 0
	for _, t := range tiles {
		if t.L != 0 {
			continue
		}
		n, err := c.checkBundle(t)
		if err != nil {
			return "", err
		}
		entries += n
		bundles++
	}
	if entries != latest.size {
		return "", fmt.Errorf("the entry bundles hold %d entries, the checkpoint %d", entries, latest.size)
	}

	// 4. Earlier checkpoints: their own tiles, and consistency with the latest.
	var proved []string
	for _, file := range olds {
		text, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		old, err := c.open(text, wantOrigin)
		if err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
		if old.size > latest.size {
			return "", fmt.Errorf("%s: size %d is beyond the latest checkpoint's %d (a rollback?)", file, old.size, latest.size)
		}
		if err := c.checkOld(old); err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
		proof, err := tlog.ProveTree(latest.size, old.size, c.reader(latest.size))
		if err != nil {
			return "", fmt.Errorf("consistency proof %d → %d from the tiles: %w", old.size, latest.size, err)
		}
		if err := tlog.CheckTree(proof, latest.size, latest.root, old.size, old.root); err != nil {
			return "", fmt.Errorf("checkpoint of size %d is not consistent with the latest (size %d): %w", old.size, latest.size, err)
		}
		proved = append(proved, strconv.FormatInt(old.size, 10))
	}
	consistency := "no earlier checkpoint given"
	if len(proved) > 0 {
		consistency = fmt.Sprintf("consistent with earlier checkpoint(s) of size %s", strings.Join(proved, ", "))
	}
	return fmt.Sprintf("OK: %s size %d root %s: signature by %s verified; %d tiles (%d partial) rebuild the root; %d entries in %d bundles match their leaf hashes; %s (%d requests)",
		latest.origin, latest.size, latest.root, verifier.Name(), len(tiles), partial, entries, bundles, consistency, c.fetches), nil
}

// witnessed fetches the checkpoint again and counts the witnesses of vkeys whose
// cosignature/v1 lines on it verify (formats' NewVerifierForCosignatureV1); fewer than quorum
// is a failure. Lines by keys it was not given are ignored, as c2sp.org/signed-note says.
func witnessed(prefix string, vkeys []string, quorum int) (string, error) {
	verifiers := make([]note.Verifier, 0, len(vkeys))
	for _, k := range vkeys {
		v, err := fnote.NewVerifierForCosignatureV1(k)
		if err != nil {
			return "", fmt.Errorf("witness key %q: %w", k, err)
		}
		verifiers = append(verifiers, v)
	}
	res, err := (&http.Client{Timeout: 30 * time.Second}).Get(prefix + "/checkpoint")
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		return "", fmt.Errorf("GET checkpoint: status %d %v", res.StatusCode, err)
	}
	n, err := note.Open(body, note.VerifierList(verifiers...))
	var unverified *note.UnverifiedNoteError
	if errors.As(err, &unverified) {
		return "", fmt.Errorf("the checkpoint carries no valid cosignature by any of the %d witness key(s)", len(vkeys))
	}
	if err != nil {
		return "", fmt.Errorf("cosignatures: %w", err)
	}
	names := map[string]bool{}
	for _, sig := range n.Sigs {
		names[sig.Name] = true
	}
	list := make([]string, 0, len(names))
	for name := range names {
		list = append(list, name)
	}
	if len(list) < quorum {
		return "", fmt.Errorf("the checkpoint is cosigned by %d of the witnesses (%s); the quorum is %d", len(list), strings.Join(list, ", "), quorum)
	}
	return fmt.Sprintf("cosigned by %d witness(es): %s (cosignature/v1, transparency-dev/formats)", len(list), strings.Join(list, ", ")), nil
}

// open verifies a checkpoint note with the key and parses its body (c2sp.org/tlog-checkpoint).
func (c *client) open(text []byte, wantOrigin string) (checkpoint, error) {
	n, err := note.Open(text, note.VerifierList(c.verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("signature does not verify with %s: %w", c.verifier.Name(), err)
	}
	lines := strings.SplitAfter(n.Text, "\n")
	if len(lines) < 3 || !strings.HasSuffix(lines[2], "\n") {
		return checkpoint{}, fmt.Errorf("body is not origin, size and root hash lines: %q", n.Text)
	}
	cp := checkpoint{origin: strings.TrimSuffix(lines[0], "\n")}
	if cp.origin != wantOrigin {
		return checkpoint{}, fmt.Errorf("origin %q is not the log's prefix without scheme %q", cp.origin, wantOrigin)
	}
	sizeText := strings.TrimSuffix(lines[1], "\n")
	cp.size, err = strconv.ParseInt(sizeText, 10, 64)
	if err != nil || cp.size < 0 || strconv.FormatInt(cp.size, 10) != sizeText {
		return checkpoint{}, fmt.Errorf("tree size %q is not a decimal integer", sizeText)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(rootBytes) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("root hash %q is not 32 bytes of base64", strings.TrimSuffix(lines[2], "\n"))
	}
	copy(cp.root[:], rootBytes)
	return cp, nil
}

// path of a tile or entry bundle below the prefix (c2sp.org/tlog-tiles): <N> as x001/x234/067.
func path(kind string, n int64, w int) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n /= 1000; n > 0; n /= 1000 {
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	if w < 1<<tileHeight {
		s += fmt.Sprintf(".p/%d", w)
	}
	return "tile/" + kind + "/" + s
}

func (c *client) get(p, contentType string) ([]byte, error) {
	c.fetches++
	res, err := c.http.Get(c.prefix + "/" + p)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", p, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", p, res.Status, bytes.TrimSpace(body))
	}
	if got := res.Header.Get("Content-Type"); got != contentType {
		return nil, fmt.Errorf("GET %s: Content-Type %q, want %q", p, got, contentType)
	}
	return body, nil
}

func (c *client) fetchTile(t tlog.Tile) error {
	key := [2]int64{int64(t.L), t.N}
	if have, ok := c.tiles[key]; ok && have.tile.W >= t.W {
		return nil
	}
	p := path(strconv.Itoa(t.L), t.N, t.W)
	data, err := c.get(p, "application/octet-stream")
	if err != nil {
		return err
	}
	if len(data) != t.W*tlog.HashSize {
		return fmt.Errorf("%s has %d bytes, want %d (%d hashes)", p, len(data), t.W*tlog.HashSize, t.W)
	}
	if have, ok := c.tiles[key]; ok && !bytes.Equal(have.data, data[:len(have.data)]) {
		return fmt.Errorf("%s does not extend the narrower tile of width %d fetched before", p, have.tile.W)
	}
	c.tiles[key] = fetchedTile{tile: t, data: data}
	return nil
}

// fold is the Merkle tree hash of a run of 2^k hashes (a full tile is 256).
func fold(data []byte) tlog.Hash {
	if len(data) == tlog.HashSize {
		var h tlog.Hash
		copy(h[:], data)
		return h
	}
	half := len(data) / 2
	return tlog.NodeHash(fold(data[:half]), fold(data[half:]))
}

// checkParent: a full tile's hash must be its hash in the tile one level up, or TreeHash
// (which reads the highest hashes it can) would never look at it.
func (c *client) checkParent(t tlog.Tile, size int64) error {
	if t.W < 1<<tileHeight {
		return nil
	}
	parent, ok := c.tiles[[2]int64{int64(t.L + 1), t.N >> tileHeight}]
	pos := int(t.N % (1 << tileHeight))
	if !ok || parent.tile.W <= pos {
		return fmt.Errorf("no tile at level %d holds the hash of full tile %s (size %d)", t.L+1, path(strconv.Itoa(t.L), t.N, t.W), size)
	}
	want := parent.data[pos*tlog.HashSize : (pos+1)*tlog.HashSize]
	if got := fold(c.tiles[[2]int64{int64(t.L), t.N}].data); !bytes.Equal(got[:], want) {
		return fmt.Errorf("tile %s hashes to %s, its parent tile says %x", path(strconv.Itoa(t.L), t.N, t.W), got, want)
	}
	return nil
}

// reader serves stored hashes (x/mod's index of every tree node) from the fetched tiles.
func (c *client) reader(size int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, index := range indexes {
			need := tlog.TileForIndex(tileHeight, index)
			have, ok := c.tiles[[2]int64{int64(need.L), need.N}]
			if !ok || have.tile.W < need.W {
				return nil, fmt.Errorf("tree of size %d needs %s, which was not fetched", size, path(strconv.Itoa(need.L), need.N, need.W))
			}
			h, err := tlog.HashFromTile(have.tile, have.data, index)
			if err != nil {
				return nil, err
			}
			out[i] = h
		}
		return out, nil
	})
}

// checkBundle checks each entry of the bundle matching level-0 tile t against its leaf hash.
func (c *client) checkBundle(t tlog.Tile) (int64, error) {
	p := path("entries", t.N, t.W)
	data, err := c.get(p, "application/octet-stream")
	if err != nil {
		return 0, err
	}
	leaves := c.tiles[[2]int64{0, t.N}].data
	var i int
	for rest := data; len(rest) > 0; i++ {
		if len(rest) < 2 {
			return 0, fmt.Errorf("%s ends inside a length prefix", p)
		}
		length := int(rest[0])<<8 | int(rest[1])
		if len(rest) < 2+length {
			return 0, fmt.Errorf("%s: entry %d claims %d bytes, %d remain", p, i, length, len(rest)-2)
		}
		if i >= t.W {
			return 0, fmt.Errorf("%s holds more than %d entries", p, t.W)
		}
		leaf := tlog.RecordHash(rest[2 : 2+length])
		if !bytes.Equal(leaf[:], leaves[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
			return 0, fmt.Errorf("%s: entry %d (log index %d) hashes to %s, its level-0 tile says %x", p, i, t.N<<tileHeight+int64(i), leaf, leaves[i*tlog.HashSize:(i+1)*tlog.HashSize])
		}
		rest = rest[2+length:]
	}
	if i != t.W {
		return 0, fmt.Errorf("%s holds %d entries, want %d", p, i, t.W)
	}
	return int64(i), nil
}

// checkOld rebuilds an earlier tree's root from the tiles of its size (the partial tiles a
// log must keep serving for every size it signed a checkpoint for).
func (c *client) checkOld(old checkpoint) error {
	if old.size == 0 {
		return nil
	}
	saved := c.tiles
	c.tiles = map[[2]int64]fetchedTile{}
	defer func() { c.tiles = saved }()
	for _, t := range tlog.NewTiles(tileHeight, 0, old.size) {
		if err := c.fetchTile(t); err != nil {
			return err
		}
		latest, ok := saved[[2]int64{int64(t.L), t.N}]
		if !ok || len(latest.data) < t.W*tlog.HashSize || !bytes.Equal(c.tiles[[2]int64{int64(t.L), t.N}].data, latest.data[:t.W*tlog.HashSize]) {
			return errors.New("tile " + path(strconv.Itoa(t.L), t.N, t.W) + " is not a prefix of the latest tree's tile: the log rewrote history")
		}
	}
	root, err := tlog.TreeHash(old.size, c.reader(old.size))
	if err != nil {
		return err
	}
	if root != old.root {
		return fmt.Errorf("the tiles of size %d hash to %s, the checkpoint says %s", old.size, root, old.root)
	}
	return nil
}
