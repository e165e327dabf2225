// npm run db:seed -- N (make seed N=10000): N realistic notes in the development
// database (POSTGRES_HOST, a running stack's, or the embedded one), in one
// INSERT … SELECT, so a million take seconds, not a million requests. Each note a
// short errand, most in a category (home, work, errands), ids in creation order,
// dates spread over the last weeks; then ANALYZE, so the planner knows the table.
import { loadConfig } from '../config.js';
import { runMain } from '../process/shutdown.js';
import { withDevelopmentDatabase } from './run-embedded.js';

const MAX_NOTES = 10_000_000;

const usage = (got: string | undefined) =>
  `usage: npm run db:seed -- N (or make seed N=…), N a whole number from 1 to ${MAX_NOTES}, got ${got === undefined ? 'none' : `"${got}"`}`;

async function main() {
  const arg = process.argv[2];
  const notes = arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
  if (!Number.isSafeInteger(notes) || notes < 1 || notes > MAX_NOTES) {
    console.error(usage(arg));
    process.exit(2);
  }
  await withDevelopmentDatabase(
    loadConfig(),
    () => {},
    async (sql) => {
      const started = performance.now();
      const [row] = await sql<{ n: number }[]>`
      with words as (
        select
          array['Buy', 'Call', 'Email', 'Book', 'Fix', 'Read', 'Return', 'Pay', 'Plan', 'Water', 'Pick up', 'Write to'] as verbs,
          array['milk', 'the dentist', 'Anna', 'the plumber', 'train tickets', 'the bike', 'chapter 4', 'library books',
                'the electricity bill', 'the team offsite', 'the plants', 'the parcel', 'the landlord', 'flowers for Sam'] as things,
          array['today', 'tomorrow', 'before Friday', 'this weekend', 'next week', 'after lunch', 'on the way home', ''] as whens,
          array['', '', '', ' Ask about the invoice.', ' Remember the receipt.', ' Check the opening hours first.',
                ' Cash only.', ' Second floor, door on the left.'] as extras,
          array['', '', 'home', 'work', 'errands'] as categories
      ), inserted as (
        insert into notes (contents, category, creation_date)
        select
          btrim(verbs[1 + floor(random() * array_length(verbs, 1))::int] || ' ' ||
                things[1 + floor(random() * array_length(things, 1))::int] || ' ' ||
                whens[1 + floor(random() * array_length(whens, 1))::int]) || '.' ||
            extras[1 + floor(random() * array_length(extras, 1))::int],
          categories[1 + floor(random() * array_length(categories, 1))::int],
          now() - (${notes} - i) * interval '7 seconds'
        from words, generate_series(1, ${notes}) as i
        order by i
        returning 1
      )
      select count(*)::int as n from inserted`;
      // Statistics for what was just loaded: until autovacuum gets to it, the planner
      // takes the table for nearly empty and may scan and sort where the keys would do.
      await sql`analyze notes`;
      const ms = performance.now() - started;
      // Under a second in ms: 10 000 notes take ~40 ms, which "0.0 s" would hide.
      const took = ms < 999.5 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
      const { host, port, database } = loadConfig().postgres;
      console.log(
        `seeded ${row?.n} notes in ${took} into ${host ? `${host}:${port}` : 'the embedded PostgreSQL'}, database ${database}`,
      );
    },
  );
}

runMain('seeding failed', main);
