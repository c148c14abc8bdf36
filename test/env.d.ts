declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[]
    /** Where the suite's clock starts (test/setup/shift-clock.ts); empty: the wall clock. */
    TEST_CLOCK_START: string
  }
}
