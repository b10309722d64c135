// drizzle-kit configuration (optional tooling: `npx drizzle-kit check|generate|studio`). The migrations that
// Chronicle applies are the hand-written `migrations/NNNN_name.sql` files; drizzle-kit's own output goes to a
// separate folder that Chronicle never applies, to compare against them.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations/drizzle-kit',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost:5432/chronicle' },
});
