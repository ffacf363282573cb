// neon-migrate sets DATABASE_URL to the branch it runs on (and PGOPTIONS to its timeouts).
import type { Config } from 'drizzle-kit';

export default {
  dialect: 'postgresql',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? '' },
} satisfies Config;
