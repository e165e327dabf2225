// The Node.js versions the project supports are the ones package.json's engines
// names: what its dependencies declare (fastify's light-my-request and
// @fastify/swagger-ui's static files need 22), what the tests pass on (.ci/run:
// the machine's Node and 24; the GitHub workflow: 22 and 24). On an older one
// npm start still starts, with one line saying so: Node 20 runs the suite today,
// but reached its end of life in April 2026 and nothing keeps it working.
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
};
const SUPPORTED_MAJOR = Number(/\d+/.exec(engines.node)?.[0]);

/** The one line to print when `version` is below the supported range, else undefined. */
export function unsupportedNode(version: string = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0]);
  if (major >= SUPPORTED_MAJOR) return undefined;
  return (
    `Node.js ${version} is below the supported ${engines.node} (what the dependencies declare); ` +
    `it may run, but use Node.js ${SUPPORTED_MAJOR} or 24 (.nvmrc)`
  );
}
