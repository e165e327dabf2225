// pgbench (Debian's postgresql-client) with a custom script: the ceiling the
// service can't beat. Prepared statements, like postgres.js's default.
import { runScriptTool } from './script-tool.js';

export async function pgbenchTps(
  database: { host: string; port: number; user: string; password: string; database: string },
  script: string,
  clients: number,
  durationS: number,
): Promise<{ tps: number; count: number }> {
  const stdout = await runScriptTool({
    command: 'pgbench',
    debianPackage: 'postgresql-client',
    scriptName: 'script.sql',
    script,
    args: (file) => [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(durationS),
      '-f',
      file,
      '-h',
      database.host,
      '-p',
      String(database.port),
      '-U',
      database.user,
      database.database,
    ],
    env: { ...process.env, PGPASSWORD: database.password },
  });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  const count = /number of transactions actually processed: (\d+)/.exec(stdout)?.[1];
  // No transaction done, no rate printed: the smoke run's 1 s can go on connecting
  // 64 clients on a slow machine. The table then shows no ratio.
  if (count === '0') return { tps: 0, count: 0 };
  if (!tps || !count) throw new Error(`no tps in pgbench's output:\n${stdout}`);
  return { tps: Number(tps), count: Number(count) };
}
