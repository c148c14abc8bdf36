// Projects: `workers` runs unit and integration tests inside workerd (real D1,
// Durable Objects, outbound fakes); `workers@…` run the calendar-dependent ones again
// on a moved clock (test/setup/shift-clock.ts); `e2e` runs real clients in Node
// against a gateway started exactly as `npm start` starts it; `node` runs Node-side
// checks that need no gateway (the catalog importer).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { fakeUpstreams } from './test/fakes/upstreams.ts'

/** Tests whose outcome could hang on the date: periods, windows, expiry, signatures, activity days. */
const TIME_SENSITIVE = [
  'test/unit/lib/shift-clock.test.ts',
  'test/unit/billing/**/*.test.ts',
  'test/unit/routing/**/*.test.ts',
  'test/integration/objects/**/*.test.ts',
  'test/integration/account.*.test.ts',
  'test/integration/keys.*.test.ts',
  'test/integration/chat.settlement.test.ts',
  'test/integration/chat.idempotency.test.ts',
  'test/integration/health.endpoints.test.ts',
  'test/integration/webhooks.*.test.ts',
]
const DAY_MS = 86_400_000
/** A year from today, at the same time of day. */
const nextYear = () => new Date(Date.now() + 365 * DAY_MS).toISOString()
/** Twenty seconds before this year's last midnight: the run crosses a day's, a month's and a year's end. */
const monthEnd = () => new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1) - 20_000).toISOString()

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations')
  /** The workerd project: real D1, Durable Objects and outbound fakes, on the wall clock or a moved one. */
  const workers = (name: string, include: string[], clock = '') => (
    {
      plugins: [
        cloudflareTest({
          wrangler: { configPath: './wrangler.toml' },
          miniflare: {
            bindings: {
              TEST_MIGRATIONS: migrations,
              TEST_CLOCK_START: clock,
              // Real providers pointed at fake upstreams that speak their wire formats.
              OPENAI_API_KEY: 'sk-test-openai',
              OPENAI_BASE_URL: 'https://openai.test/v1',
              GROQ_API_KEY: 'gsk-test',
              GROQ_BASE_URL: 'https://groq.test/openai/v1',
              TOGETHER_API_KEY: 'together-test',
              TOGETHER_BASE_URL: 'https://together.test/v1',
              ANTHROPIC_API_KEY: 'sk-ant-test',
              ANTHROPIC_BASE_URL: 'https://anthropic.test/v1',
              GOOGLE_API_KEY: 'goog-test',
              GOOGLE_BASE_URL: 'https://gemini.test/v1beta',
              KEEPALIVE_INTERVAL_MS: '100',
              // A short first-byte limit and a total far above it, as in production: a hung
              // provider is left at the first one whether or not the client streams.
              UPSTREAM_TTFB_TIMEOUT_MS: '1500',
              UPSTREAM_TIMEOUT_MS: '30000',
              FLUSH_DELAY_MS: '0',
              // Test-only secrets of the webhooks and the operator API (test/helpers/secrets.ts).
              STRIPE_WEBHOOK_SECRET: 'whsec_test_switchboard',
              // The fake api.stripe.com (test/fakes/stripe.ts) accepts only this key.
              STRIPE_SECRET_KEY: 'sk_test_switchboard_fake_0123456789',
              TOPUP_WEBHOOK_SECRET: 'topup_test_secret_switchboard',
              ADMIN_TOKEN: 'admin_test_token_switchboard',
            },
            outboundService: fakeUpstreams,
          },
        }),
      ],
      test: {
        name,
        include,
        setupFiles: ['./test/setup/shift-clock.ts', './test/setup/apply-migrations.ts', './test/setup/reset-health.ts'],
        // A loaded 2-core CI machine runs these several times slower than a laptop: bound generously.
        testTimeout: 30_000,
      },
    }
  )
  return {
    test: {
      projects: [
        workers('workers', ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'], process.env.SWITCHBOARD_TEST_CLOCK),
        // The tests that read the calendar again, with the clock a year ahead and crossing a
        // month's (and a year's) end while they run: nothing may depend on today's date.
        workers('workers@next-year', TIME_SENSITIVE, nextYear()),
        workers('workers@month-end', TIME_SENSITIVE, monthEnd()),
        {
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.ts'],
            environment: 'node',
            globalSetup: ['./test/e2e/global-setup.ts'],
            testTimeout: 30_000,
            hookTimeout: 120_000,
          },
        },
        // Node-side checks with no gateway: the committed catalog is what `npm run catalog:sync` produces.
        { test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 60_000 } },
      ],
    },
  }
})
