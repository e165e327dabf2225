// Whether something already listens on a port, asked before a start that would
// otherwise find out late: the service only listens after waiting for its
// database, and PostgreSQL retries a port that is still being released.
import { createServer } from 'node:net';

export function isPortInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}
