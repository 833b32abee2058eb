package diagnose_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

// scenarioFinding is the catalogue entry a probe of each simulator
// scenario must produce ("" for the scenarios that work).
var scenarioFinding = map[string]string{
	"ok":                    "",
	"tenant-auth-disabled":  "smtp.auth.tenant_disabled",
	"mailbox-auth-disabled": "smtp.auth.mailbox_disabled",
	"basic-auth-disabled":   "smtp.auth.basic_disabled",
	"security-defaults":     "smtp.auth.security_defaults",
	"conditional-access":    "smtp.auth.conditional_access",
	"bad-token":             "token.audience",
	"expired-token":         "token.expired",
	"send-as-denied":        "smtp.data.send_as_denied",
	"not-authenticated":     "device.smtp_auth_off", // absorbs 530 5.7.57
	"throttled":             "smtp.throttle.concurrent",
	"rate-limited":          "smtp.throttle.rate",
	"mailbox-full":          "smtp.data.mailbox_full",
	"legacy-tls":            "smtp.tls.legacy_rejected", // absorbs tls.legacy_version
	"expired-cert":          "tls.cert_expired",
	"wrong-host-cert":       "tls.cert_host",
	"no-starttls":           "tls.no_starttls",
	"tarpit":                "smtp.no_banner",
	"slow":                  "",
	"plain-only-device":     "auth.no_common_mechanism",
	"sender-not-permitted":  "smtp.mail.send_as_denied",
	"account-locked":        "smtp.auth.account_locked",
	"bad-password":          "smtp.auth.bad_credentials",
	"basic-retired":         "smtp.auth.basic_retired",
	"bad-outbound-sender":   "smtp.mail.bad_outbound_sender",
	"send-as-throttled":     "smtp.throttle.send_as_denied",
	"submission-quota":      "smtp.data.submission_quota",
	"no-scope-token":        "token.scope_missing",
	"wrong-user-token":      "token.user_mismatch",
	"app-only":              "",
	"basic-ok":              "auth.basic_in_use",
	"self-signed-cert":      "tls.cert_untrusted",
	"not-yet-valid-cert":    "tls.cert_not_yet_valid",
	"weak-key-cert":         "tls.cert_weak_key",
}

// TestScenariosDiagnose probes every Exchange Online simulator scenario as
// its device would and checks that the diagnosis names the expected
// catalogue entry (and that working scenarios get no error finding).
func TestScenariosDiagnose(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("probes the simulator over loopback")
	}
	for _, sc := range exosim.Scenarios() {
		want, known := scenarioFinding[sc.Name]
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			if !known {
				t.Skipf("scenario %q has no expected finding in this table yet", sc.Name)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sim, err := exosim.Start(ctx, exosim.Options{Scenario: sc.Name})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			cfg := simcheck.Config(sim, nil, simcheck.Budget(sc))
			r := check.Run(ctx, cfg)
			// Diagnose again explicitly, so this test does not depend on
			// check.Run's own call.
			diagnose.Diagnose(r, sim.Profile(), diagnose.Options{Lang: "de"})
			var ids []string
			for _, f := range r.Findings {
				ids = append(ids, f.ID)
			}
			if want == "" {
				if r.Verdict == report.VerdictFail || r.Verdict == report.VerdictError {
					t.Errorf("working scenario: verdict %s, findings %v", r.Verdict, ids)
				}
				return
			}
			if !slices.Contains(ids, want) {
				t.Errorf("findings %v, want %s", ids, want)
			}
		})
	}
}
