// Two projects: `workers` runs unit and integration tests inside workerd (real D1,
// Durable Objects, outbound fakes); `e2e` runs real clients in Node against a
// gateway started exactly as `npm start` starts it.
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { fakeUpstreams } from './test/fakes/upstreams.ts'

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations')
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
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
                  UPSTREAM_TTFB_TIMEOUT_MS: '1500',
                  UPSTREAM_TIMEOUT_MS: '1500',
                  FLUSH_DELAY_MS: '0',
                  // Test-only secrets of the webhooks and the operator API (test/helpers/secrets.ts).
                  STRIPE_WEBHOOK_SECRET: 'whsec_test_switchboard',
                  TOPUP_WEBHOOK_SECRET: 'topup_test_secret_switchboard',
                  ADMIN_TOKEN: 'admin_test_token_switchboard',
                },
                outboundService: fakeUpstreams,
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
            setupFiles: ['./test/setup/apply-migrations.ts', './test/setup/reset-health.ts'],
          },
        },
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
      ],
    },
  }
})
