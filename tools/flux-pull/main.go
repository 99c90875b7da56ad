// Command flux-pull pulls an OCI artifact with Flux's own OCI client library
// (github.com/fluxcd/pkg/oci, the code the flux CLI and source-controller use) and extracts
// its layer, so tests prove that what canaryship publishes is what Flux accepts.
//
//	flux-pull [-insecure] [-semver RANGE] oci://HOST/REPO[:TAG] OUTDIR
//
// With -semver the tag is chosen the way an OCIRepository's ref.semver is: the highest version
// within the range (Masterminds constraints). It prints the pulled reference, digest and revision
// as JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/fluxcd/pkg/oci"
	"github.com/google/go-containerregistry/pkg/crane"
)

type result struct {
	URL      string `json:"url"`
	Tag      string `json:"tag"`
	Digest   string `json:"digest"`
	Revision string `json:"revision"`
	Source   string `json:"source"`
	Created  string `json:"created"`
}

func main() {
	insecure := flag.Bool("insecure", false, "use plain HTTP (a registry on loopback)")
	semverRange := flag.String("semver", "", "pick the highest tag within this semver range")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: flux-pull [-insecure] [-semver RANGE] oci://HOST/REPO[:TAG] OUTDIR")
		os.Exit(2)
	}
	if err := run(context.Background(), flag.Arg(0), flag.Arg(1), *insecure, *semverRange); err != nil {
		fmt.Fprintln(os.Stderr, "flux-pull:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, outDir string, insecure bool, semverRange string) error {
	options := oci.DefaultOptions()
	if insecure {
		options = append(options, crane.Insecure)
	}
	client := oci.NewClient(options)
	ref := strings.TrimPrefix(url, "oci://")

	if semverRange != "" {
		tag, err := highestInRange(ctx, client, ref, semverRange)
		if err != nil {
			return err
		}
		ref = ref + ":" + tag
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	meta, err := client.Pull(ctx, ref, outDir)
	if err != nil {
		return fmt.Errorf("pull %s: %w", ref, err)
	}
	tag := ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		tag = ref[i+1:]
	}
	return json.NewEncoder(os.Stdout).Encode(result{URL: ref, Tag: tag, Digest: meta.Digest, Revision: meta.Revision, Source: meta.Source, Created: meta.Created})
}

// highestInRange lists the repository's tags through Flux's client and keeps the highest semver
// inside the range; the client itself only filters and sorts lexically.
func highestInRange(ctx context.Context, client *oci.Client, repo, semverRange string) (string, error) {
	metas, err := client.List(ctx, repo, oci.ListOptions{SemverFilter: semverRange})
	if err != nil {
		return "", fmt.Errorf("list %s: %w", repo, err)
	}
	var best *semver.Version
	bestTag := ""
	for _, meta := range metas {
		tag := meta.URL[strings.LastIndex(meta.URL, ":")+1:]
		v, err := semver.NewVersion(tag)
		if err != nil {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, bestTag = v, tag
		}
	}
	if best == nil {
		return "", fmt.Errorf("no tag of %s matches %q", repo, semverRange)
	}
	return bestTag, nil
}
