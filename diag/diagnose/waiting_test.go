package diagnose

import (
	"os"
	"testing"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

// TestMain lets more parallel tests run at once than the CPUs: they wait
// on simulators and real servers.
func TestMain(m *testing.M) { os.Exit(testtool.Waiting(m)) }
