// drizzle-kit only generates SQL; wrangler applies it (`npm run db:migrate:local`, or --remote in production).
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
})
