// compose-config loads Compose files with compose-go, the loader behind `docker compose config`, and prints
// the normalised project as JSON. It exists because CI has no Docker engine or Compose plugin: this is the
// same parser, schema validation, interpolation and consistency checks, without the daemon.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-config COMPOSE_FILE...")
		os.Exit(2)
	}
	// The options `docker compose config` uses: environment and .env interpolation, normalisation, paths
	// resolved against the file's folder, and the consistency checks (services, volumes, networks named).
	options, err := cli.NewProjectOptions(
		os.Args[1:],
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	normalised, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	fmt.Println(string(normalised))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compose-config:", err)
	os.Exit(1)
}
