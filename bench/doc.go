// Package bench holds mfpcheck's latency benchmarks (go test -run '^$'
// -bench Latency ./bench/): time to verdict of a full SMTP probe through a
// proxy that adds 25 ms each way (fixtures/testkit/delayproxy) in front of the
// Exchange Online simulator, counted in round trips and compared with the
// protocol minimum and with curl doing the same XOAUTH2 login; and the
// concurrency of check.Run (SMTP and POP3 together cost about the slower
// of the two). The results and commands are in BENCHMARKS.md, section
// "Latency and cost". Nothing here runs in the normal test run.
package bench
