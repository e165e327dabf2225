// The floor under every Node.js HTTP service on this machine: a bare node:http
// server answering each request with one note's JSON, no framework, no database.
// The benchmark drives it like the service, so its req/s bounds what any handler
// could reach against the same load generator on the same cores.
import { createServer } from 'node:http';

const note = JSON.stringify({ id: 1, contents: 'x'.repeat(200), creation_date: new Date().toISOString() });
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(note) };

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(note);
});
server.listen(Number(process.env.API_PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
