// Package stageenv is the environment a stage's functions have once
// deployed, for the commands that run code against the stage outside
// Lambda: sst dev's local workers, sst bind's scripts and sst env's
// frontends.
package stageenv

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sst-tf/sst/internal/devrelay"
	"github.com/sst-tf/sst/manifest"
)

// Deployed reads each function's environment from Lambda: the values as
// deployed, with every reference resolved. Functions it cannot read fall
// back to the manifest's literal values, with one warning for all.
func Deployed(ctx context.Context, cfg aws.Config, fns map[string]manifest.Function, warn func(string)) map[string]map[string]string {
	client := lambda.NewFromConfig(cfg)
	out := map[string]map[string]string{}
	var mu sync.Mutex
	var failed, missing []string
	var firstErr error
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for id, fn := range fns {
		wg.Add(1)
		go func(id string, fn manifest.Function) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			env := map[string]string{}
			res, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn.Name)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && res.Environment != nil:
				env = res.Environment.Variables
				// A dev stage's relay stub's own, not the function's.
				for _, k := range devrelay.Env {
					delete(env, k)
				}
			case err != nil:
				failed = append(failed, id)
				if firstErr == nil {
					firstErr = err
				}
				for k, v := range fn.Environment {
					if strings.Contains(v, "${") {
						missing = append(missing, id+"."+k)
						continue
					}
					env[k] = v
				}
			}
			out[id] = env
		}(id, fn)
	}
	wg.Wait()
	if len(failed) > 0 && ctx.Err() == nil {
		sort.Strings(failed)
		sort.Strings(missing)
		msg := fmt.Sprintf("could not read the deployed environment of %s (%v); using the synthesized values", strings.Join(failed, ", "), firstErr)
		if len(missing) > 0 {
			msg += ", without " + strings.Join(missing, ", ")
		}
		warn(msg)
	}
	return out
}

// Merge overlays vars on a KEY=VALUE environment.
func Merge(base []string, vars map[string]string) []string {
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := vars[k]; !over {
			out = append(out, kv)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		out = append(out, k+"="+vars[k])
	}
	return out
}
