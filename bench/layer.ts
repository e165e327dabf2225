// The layers under the service, one server each, so the benchmark can say what
// each one costs: `layer.ts <http|fastify> <constant|postgres>` answers
// GET /notes/<id>/ with node:http or with Fastify (the service's schemas for the
// id and the note), from a constant note or through the service's own repository
// and pool. `http constant` is the floor under any Node.js HTTP service here.
import { createServer } from 'node:http';
import Fastify from 'fastify';
import { loadConfig } from '../src/config.js';
import { openPool } from '../src/db/pool.js';
import { AJV_OPTIONS } from '../src/http/validation.js';
import { notesRepository } from '../src/notes/repository.js';
import { Note, NoteParams, noteInputSchema } from '../src/notes/schemas.js';

type Answer = (id: string) => Promise<unknown>;

const [server, source] = process.argv.slice(2);
const port = Number(process.env.API_PORT);

function constantNotes(): Answer {
  const contents = 'x'.repeat(200);
  return async (id) => ({ id: Number(id), contents, category: '', creation_date: new Date().toISOString() });
}

function storedNotes(): Answer {
  const { postgres, pageMaxBytes } = loadConfig();
  const notes = notesRepository(openPool({ ...postgres, host: postgres.host ?? '127.0.0.1' }), {
    pageMaxBytes,
    batching: postgres.batching,
  });
  return (id) => notes.get(BigInt(id));
}

async function serveHttp(answer: Answer) {
  const http = createServer(async (request, response) => {
    const id = request.url?.split('/')[2];
    const body = JSON.stringify(id ? await answer(id) : {});
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return () => http.close();
}

async function serveFastify(answer: Answer) {
  const app = Fastify({ logger: false, ajv: AJV_OPTIONS });
  app.get('/', async () => ({}));
  app.get<{ Params: { id: string } }>(
    '/notes/:id/',
    { schema: { params: NoteParams, response: { 200: Note } } },
    (request) => answer(request.params.id),
  );
  // A create's body parsed (Fastify's own JSON parser) and validated, answered with a constant note:
  // what the POST's HTTP side costs in bare Fastify.
  app.post(
    '/notes/',
    { schema: { body: noteInputSchema(loadConfig().noteMaxLength), response: { 201: Note } } },
    async (_request, reply) => reply.code(201).send(await answer('1')),
  );
  await app.listen({ port, host: '127.0.0.1' });
  return () => app.close();
}

const answer = source === 'postgres' ? storedNotes() : constantNotes();
const close = await (server === 'fastify' ? serveFastify(answer) : serveHttp(answer));
process.once('SIGTERM', async () => {
  await close();
  process.exit(0);
});
