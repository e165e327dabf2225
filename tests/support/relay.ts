// A TCP relay in front of PostgreSQL, to make the network between the service and
// its database misbehave on cue: hold what the client sends for a while (a slow
// link), or stop taking new connections while the open ones work on.
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export interface Relay {
  port: number;
  /** From now on, what clients send reaches the server `ms` later, in order. */
  delayRequests(ms: number): void;
  /** New connections are refused from now on; open ones keep working. */
  stopAccepting(): void;
}

/**
 * A relay to host:port on a free port of 127.0.0.1, closed with its connections when
 * the test ends. A test that runs at once with others passes its context's
 * onTestFinished: the global one can't tell which of them is running.
 */
export async function startRelay(host: string, port: number, whenFinished = onTestFinished): Promise<Relay> {
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const server = connect(port, host);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
    client.on('data', (chunk) => {
      if (delayMs === 0) server.write(chunk);
      else setTimeout(() => server.write(chunk), delayMs);
    });
    client.on('end', () => server.end());
    server.pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  whenFinished(() => {
    relay.close();
    for (const socket of sockets) socket.destroy();
  });
  return {
    port: (relay.address() as AddressInfo).port,
    delayRequests(ms) {
      delayMs = ms;
    },
    stopAccepting() {
      relay.close();
    },
  };
}
