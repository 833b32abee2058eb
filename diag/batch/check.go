package batch

import (
	"context"
	"time"

	"github.com/mfpcheck/mfpcheck/diag"
	"github.com/mfpcheck/mfpcheck/diag/check"
)

// CheckWith returns the CheckFunc that runs check.Run, the same full check
// as "mfpcheck probe", with the config configure builds for each device.
func CheckWith(configure func(Device) check.Config) CheckFunc {
	return func(ctx context.Context, d Device) *diag.Report {
		return check.Run(ctx, configure(d))
	}
}

// ProfileConfig returns the default configure function: each device's
// check.Config from its profile, the device's own behaviour on (as-device),
// findings in lang, the basic-auth password from the environment variable
// the profile names.
//
// TEMPORARY: a stand-in until the lead's helper that builds a check.Config
// from a Profile lands in package check; swap the body for a call to it.
// It is the only place batch knows how a profile becomes a check.
func ProfileConfig(lang string, getenv func(string) string, now func() time.Time) func(Device) check.Config {
	return func(d Device) check.Config {
		p := d.Profile
		cfg := check.Config{
			Profile: p,
			Probe: diag.ProbeConfig{
				Host:       p.SMTP.Server,
				Port:       p.SMTP.Port,
				Security:   p.SMTP.Security,
				VerifyCert: p.SMTP.VerifyCertOn(),
				RootsName:  "system",
				AuthMethod: p.Email.AuthMethod,
				User:       p.SMTP.User,
				Sender:     p.Email.Sender,
				AsDevice:   true,
				Greeting:   p.Capabilities.Greeting,
				MaxTLS:     p.Capabilities.MaxTLS,
				Mechanisms: p.Capabilities.Mechanisms,
				Redactor:   &diag.Redactor{},
				Now:        now,
			},
			TokenFile: p.OAuth.TokenFile,
			Authority: p.OAuth.Authority,
			Lang:      lang,
			Now:       now,
		}
		if p.SMTP.PasswordEnv != "" && getenv != nil {
			cfg.Probe.Password = getenv(p.SMTP.PasswordEnv)
			cfg.Probe.PasswordSource = "env " + p.SMTP.PasswordEnv
			cfg.Probe.Redactor.Add(cfg.Probe.Password)
		}
		if p.POP3 != nil {
			cfg.POP3 = &diag.POP3Config{
				Host:       p.POP3.Server,
				Port:       p.POP3.Port,
				Security:   p.POP3.Security,
				VerifyCert: p.POP3.VerifyCert == nil || *p.POP3.VerifyCert,
				AuthMethod: p.Email.AuthMethod,
				User:       p.POP3.User,
				Password:   cfg.Probe.Password,
			}
		}
		return cfg
	}
}
