// Command flux-oci runs Flux's own OCI client library (github.com/fluxcd/pkg/oci, the code the
// flux CLI and source-controller use) against an artifact, so the tests prove that what canaryship
// publishes is what Flux accepts, and say what Flux's own tools make of it.
//
//	flux-oci pull [-insecure] [-semver RANGE] oci://HOST/REPO[:TAG] OUTDIR
//	flux-oci diff [-insecure] oci://HOST/REPO:TAG DIR
//
// pull extracts the artifact's layer; with -semver the tag is chosen the way an OCIRepository's
// ref.semver is: the highest version within the range (Masterminds constraints). It prints the
// pulled reference, digest and revision as JSON.
//
// diff is what `flux diff artifact` runs: it re-archives DIR with Flux's own tar and gzip and
// compares the layer digests. It prints {"differs": bool, "message": string}.
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

type pulled struct {
	URL      string `json:"url"`
	Tag      string `json:"tag"`
	Digest   string `json:"digest"`
	Revision string `json:"revision"`
	Source   string `json:"source"`
	Created  string `json:"created"`
}

type diffed struct {
	Differs bool   `json:"differs"`
	Message string `json:"message"`
}

const usage = `usage:
  flux-oci pull [-insecure] [-semver RANGE] oci://HOST/REPO[:TAG] OUTDIR
  flux-oci diff [-insecure] oci://HOST/REPO:TAG DIR`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	insecure := flags.Bool("insecure", false, "use plain HTTP (a registry on loopback)")
	semverRange := flags.String("semver", "", "pull: pick the highest tag within this semver range")
	_ = flags.Parse(os.Args[2:])
	if flags.NArg() != 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	options := oci.DefaultOptions()
	if *insecure {
		options = append(options, crane.Insecure)
	}
	client := oci.NewClient(options)
	ctx := context.Background()
	ref := strings.TrimPrefix(flags.Arg(0), "oci://")

	var out any
	var err error
	switch os.Args[1] {
	case "pull":
		out, err = pull(ctx, client, ref, flags.Arg(1), *semverRange)
	case "diff":
		// A difference is an answer, not a failure: Diff returns it as an error.
		if diffErr := client.Diff(ctx, ref, flags.Arg(1), nil); diffErr != nil {
			out = diffed{Differs: true, Message: diffErr.Error()}
		} else {
			out = diffed{Differs: false}
		}
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flux-oci:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

func pull(ctx context.Context, client *oci.Client, ref, outDir, semverRange string) (*pulled, error) {
	if semverRange != "" {
		tag, err := highestInRange(ctx, client, ref, semverRange)
		if err != nil {
			return nil, err
		}
		ref = ref + ":" + tag
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	meta, err := client.Pull(ctx, ref, outDir)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	tag := ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		tag = ref[i+1:]
	}
	return &pulled{URL: ref, Tag: tag, Digest: meta.Digest, Revision: meta.Revision, Source: meta.Source, Created: meta.Created}, nil
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
