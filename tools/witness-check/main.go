// witness-check judges the project's witness (c2sp.org/tlog-witness) with code the project
// did not write: it plays a log built from golang.org/x/mod's sumdb/tlog (tree hashes and
// RFC 6962 consistency proofs) and sumdb/note (Ed25519 checkpoint signatures), posts
// checkpoints of a growing tree to the witness over HTTP, and checks the answers with
// transparency-dev/formats' published cosignature/v1 verifier.
//
//	witness-check keygen <origin>        prints a log signer key and its vkey (two lines)
//	WITNESS_CHECK_SKEY=<signer key> witness-check run -witness http://127.0.0.1:PORT/witness
//
// run exits 0 when every check passed, 1 otherwise; each check prints one line.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "keygen":
		if len(os.Args) != 3 {
			usage()
		}
		skey, vkey, err := note.GenerateKey(rand.Reader, os.Args[2])
		if err != nil {
			fatal("keygen: %v", err)
		}
		fmt.Printf("%s\n%s\n", skey, vkey)
	case "run":
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		witness := fs.String("witness", "", "the witness's submission prefix, e.g. http://127.0.0.1:8080/witness")
		_ = fs.Parse(os.Args[2:])
		skey := os.Getenv("WITNESS_CHECK_SKEY")
		if *witness == "" || skey == "" {
			usage()
		}
		if !run(strings.TrimRight(*witness, "/"), skey) {
			os.Exit(1)
		}
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: witness-check keygen <origin> | WITNESS_CHECK_SKEY=<skey> witness-check run -witness <url>")
	os.Exit(2)
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "witness-check: "+format+"\n", args...)
	os.Exit(1)
}

// tree is a log's Merkle tree as sumdb/tlog stores it: every stored hash by index.
type tree struct {
	hashes []tlog.Hash
	n      int64
}

func (t *tree) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(t.hashes)) {
				return nil, fmt.Errorf("no stored hash %d", x)
			}
			out[i] = t.hashes[x]
		}
		return out, nil
	})
}

func (t *tree) append(records int, tag string) *tree {
	for i := 0; i < records; i++ {
		hs, err := tlog.StoredHashes(t.n, []byte(fmt.Sprintf("%s record %d", tag, t.n)), t.reader())
		if err != nil {
			fatal("StoredHashes: %v", err)
		}
		t.hashes = append(t.hashes, hs...)
		t.n++
	}
	return t
}

// fork is a tree with the same first `at` records and different ones after.
func (t *tree) fork(at int64, records int, tag string) *tree {
	f := &tree{}
	f.hashes = append(f.hashes, t.hashes[:tlog.StoredHashCount(at)]...)
	f.n = at
	return f.append(records, tag)
}

func (t *tree) root(n int64) tlog.Hash {
	h, err := tlog.TreeHash(n, t.reader())
	if err != nil {
		fatal("TreeHash(%d): %v", n, err)
	}
	return h
}

func (t *tree) proof(old, n int64) tlog.TreeProof {
	if old == 0 || old == n {
		return nil
	}
	p, err := tlog.ProveTree(n, old, t.reader())
	if err != nil {
		fatal("ProveTree(%d, %d): %v", n, old, err)
	}
	return p
}

type judge struct {
	url      string
	origin   string
	signer   note.Signer
	log      note.Verifier
	witness  []note.Verifier
	client   *http.Client
	passed   int
	failed   int
	lastTime time.Time
}

func (j *judge) checkpoint(t *tree, n int64, signer note.Signer) []byte {
	root := t.root(n)
	text := fmt.Sprintf("%s\n%d\n%s\n", signer.Name(), n, base64.StdEncoding.EncodeToString(root[:]))
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		fatal("note.Sign: %v", err)
	}
	return msg
}

func (j *judge) post(body []byte) (int, string, string) {
	res, err := j.client.Post(j.url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		return 0, "", err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func request(old int64, proof tlog.TreeProof, checkpoint []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		fmt.Fprintf(&b, "%s\n", base64.StdEncoding.EncodeToString(h[:]))
	}
	b.WriteString("\n")
	b.Write(checkpoint)
	return b.Bytes()
}

func (j *judge) check(name string, ok bool, detail string) {
	if ok {
		j.passed++
		fmt.Printf("ok %d - %s\n", j.passed+j.failed, name)
		return
	}
	j.failed++
	fmt.Printf("not ok %d - %s: %s\n", j.passed+j.failed, name, detail)
}

// cosigned opens checkpoint+answer with the log key and the witness keys (formats' verifier)
// and returns "" when a witness cosignature verified with a non-zero, non-decreasing time.
func (j *judge) cosigned(checkpoint []byte, answer string) string {
	if answer == "" || !strings.HasSuffix(answer, "\n") {
		return fmt.Sprintf("answer %q is not newline-terminated signature lines", answer)
	}
	for _, line := range strings.Split(strings.TrimSuffix(answer, "\n"), "\n") {
		if !strings.HasPrefix(line, "— ") {
			return fmt.Sprintf("answer line %q does not start with U+2014", line)
		}
	}
	verifiers := append([]note.Verifier{j.log}, j.witness...)
	n, err := note.Open(append(append([]byte{}, checkpoint...), answer...), note.VerifierList(verifiers...))
	if err != nil {
		return fmt.Sprintf("note.Open: %v", err)
	}
	for _, sig := range n.Sigs {
		for _, w := range j.witness {
			if sig.Name != w.Name() || sig.Hash != w.KeyHash() {
				continue
			}
			ts, err := fnote.CoSigV1Timestamp(sig)
			if err != nil || ts.Unix() <= 0 {
				return fmt.Sprintf("cosignature timestamp %v (%v): must be non-zero", ts, err)
			}
			if ts.Before(j.lastTime) {
				return fmt.Sprintf("cosignature timestamp %v is before the previous one %v", ts, j.lastTime)
			}
			j.lastTime = ts
			return ""
		}
	}
	return "no signature by the witness key among the verified ones"
}

func (j *judge) expectCosigned(name string, old int64, t *tree, n int64) string {
	cp := j.checkpoint(t, n, j.signer)
	status, _, body := j.post(request(old, t.proof(old, n), cp))
	if status != 200 {
		j.check(name, false, fmt.Sprintf("status %d: %s", status, body))
		return ""
	}
	problem := j.cosigned(cp, body)
	j.check(name, problem == "", problem)
	return body
}

func (j *judge) expectStatus(name string, want int, body []byte) (string, string) {
	status, ctype, answer := j.post(body)
	j.check(name, status == want, fmt.Sprintf("status %d, want %d: %s", status, want, answer))
	return ctype, answer
}

func run(url, skey string) bool {
	signer, err := note.NewSigner(skey)
	if err != nil {
		fatal("log signer key: %v", err)
	}
	j := &judge{url: url, origin: signer.Name(), signer: signer, client: &http.Client{Timeout: 20 * time.Second}}
	// The log's vkey, re-derived by the note package from a fresh signer of the same key.
	j.log = mustVerifier(skey)

	// 1. The witness publishes its cosignature/v1 vkey(s); the published parser must take them.
	res, err := j.client.Get(url + "/vkey")
	if err != nil {
		fatal("GET vkey: %v", err)
	}
	vkeys, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, vkey := range strings.Fields(string(vkeys)) {
		v, err := fnote.NewVerifierForCosignatureV1(vkey)
		if err != nil {
			j.check("the witness vkey parses as a cosignature/v1 key", false, fmt.Sprintf("%q: %v", vkey, err))
			continue
		}
		j.witness = append(j.witness, v)
	}
	j.check("GET vkey: the witness's keys parse with formats' NewVerifierForCosignatureV1", res.StatusCode == 200 && len(j.witness) > 0, fmt.Sprintf("status %d, body %q", res.StatusCode, vkeys))
	if len(j.witness) == 0 {
		return false
	}

	log := (&tree{}).append(5, "honest")
	j.expectCosigned("old 0: the first checkpoint (size 5) is cosigned", 0, log, 5)
	log.append(12, "honest")
	j.expectCosigned("5 → 17 with a consistency proof is cosigned", 5, log, 17)
	first := j.checkpoint(log, 17, j.signer)
	status, _, same := j.post(request(17, nil, first))
	j.check("the same checkpoint again (17 → 17, empty proof) is cosigned", status == 200 && j.cosigned(first, same) == "", fmt.Sprintf("status %d: %s", status, same))
	log.append(283, "honest")
	answer := j.expectCosigned("17 → 300 is cosigned", 17, log, 300)

	// The cosignature covers the checkpoint body: moved onto another root of the same size it fails.
	other := (&tree{}).append(300, "other")
	moved := append(j.checkpoint(other, 300, j.signer), answer...)
	_, err = note.Open(moved, note.VerifierList(append([]note.Verifier{j.log}, j.witness...)...))
	_, invalid := err.(*note.InvalidSignatureError)
	j.check("the cosignature does not verify on another checkpoint of the same size", invalid, fmt.Sprintf("note.Open: %v", err))

	log.append(10, "honest")
	ctype, known := j.expectStatus("old 5 (not the last cosigned size) is 409", 409, request(5, log.proof(5, 310), j.checkpoint(log, 310, j.signer)))
	j.check("the 409 says the known size 300 as text/x.tlog.size", strings.HasPrefix(ctype, "text/x.tlog.size") && known == "300\n", fmt.Sprintf("content-type %q, body %q", ctype, known))

	bad := log.proof(300, 310)
	bad[0][0] ^= 1
	j.expectStatus("a consistency proof with a flipped bit is 422", 422, request(300, bad, j.checkpoint(log, 310, j.signer)))

	fork := log.fork(200, 100, "forked")
	j.expectStatus("a fork at the cosigned size (300, another root) is 422", 422, request(300, nil, j.checkpoint(fork, 300, j.signer)))
	fork.append(100, "forked")
	j.expectStatus("a forked larger tree with its own proof from 300 is 422", 422, request(300, fork.proof(300, 400), j.checkpoint(fork, 400, j.signer)))

	impostorKey, _, _ := note.GenerateKey(rand.Reader, j.origin)
	impostor, _ := note.NewSigner(impostorKey)
	j.expectStatus("a checkpoint signed by another key of the same name is 403", 403, request(300, log.proof(300, 310), j.checkpoint(log, 310, impostor)))
	strangerKey, _, _ := note.GenerateKey(rand.Reader, j.origin+"/stranger")
	stranger, _ := note.NewSigner(strangerKey)
	j.expectStatus("a checkpoint of an origin the witness does not watch is 404", 404, request(0, nil, j.checkpoint(log, 10, stranger)))
	j.expectStatus("old size above the checkpoint's size is 400", 400, request(320, nil, j.checkpoint(log, 310, j.signer)))
	j.expectStatus("a body that is not an add-checkpoint request is 400", 400, []byte("hello witness\n"))

	j.expectCosigned("after every refusal the record is still 300: 300 → 310 is cosigned", 300, log, 310)

	if j.failed > 0 {
		fmt.Printf("witness-check: %d of %d checks failed\n", j.failed, j.passed+j.failed)
		return false
	}
	fmt.Printf("witness-check: all %d checks passed\n", j.passed)
	return true
}

// mustVerifier derives the vkey of a signer key the way note.GenerateKey prints it.
func mustVerifier(skey string) note.Verifier {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		fatal("signer key is not PRIVATE+KEY+name+hash+key")
	}
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 33 {
		fatal("signer key material: %v", err)
	}
	vkey, err := note.NewEd25519VerifierKey(parts[2], ed25519Public(key[1:]))
	if err != nil {
		fatal("NewEd25519VerifierKey: %v", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		fatal("NewVerifier: %v", err)
	}
	return v
}

func ed25519Public(seed []byte) ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
}
