package main

import (
	"context"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/check"
)

// demoTUI opens the TUI over a simulated fleet of every scenario.
func (a *app) demoTUI(ctx context.Context, f demoFlags) int {
	return a.tuiDemo(ctx, a.lang(f.lang))
}

// demoBatch runs batch mode over a simulated fleet: one simulator and one
// device per scenario, named after the scenario. Every simulated device
// signs in as the same mailbox, so at most three are checked at once.
func (a *app) demoBatch(ctx context.Context, f demoFlags) int {
	lang := a.lang(f.lang)
	opts, ok := a.batchOptions(batchFlags{format: f.format, concurrency: batch.DefaultConcurrency, timeout: batch.DefaultTimeout, lang: lang, sheets: f.sheetsDir})
	if !ok {
		return ExitError
	}
	devices, checkFn, closeAll, err := a.simDevices(ctx, lang)
	if err != nil {
		a.errorf("%v", err)
		return ExitError
	}
	defer closeAll()
	opts.Check = checkFn
	return a.runFleet(ctx, devices, opts)
}

// simDevices is the simulated fleet of batch and the exporter: one device
// per scenario, named after it, and the check of each. closeAll stops the
// simulators.
func (a *app) simDevices(ctx context.Context, lang string) (devices []batch.Device, checkFn batch.CheckFunc, closeAll func(), err error) {
	sims, cfgs, err := a.simFleet(ctx, lang)
	if err != nil {
		return nil, nil, nil, err
	}
	byName := map[string]check.Config{}
	devices = make([]batch.Device, len(sims))
	for i, s := range sims {
		name := s.Scenario().Name
		byName[name] = cfgs[i]
		devices[i] = batch.Device{Name: name, Profile: s.Profile(), Source: "simulator:" + name}
	}
	closeAll = func() {
		for _, s := range sims {
			s.Close()
		}
	}
	return devices, batch.CheckWith(func(d batch.Device) check.Config { return byName[d.Name] }), closeAll, nil
}
