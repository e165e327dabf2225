// HTTP only: schemas and thin handlers for /notes. Both spellings (/notes and
// /notes/, /notes/7 and /notes/7/) match because the router ignores the trailing slash.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply } from 'fastify';
import { OPTIONAL_BEARER } from '../http/auth.js';
import { ApiError, handleError, notFound, sendError } from '../http/errors.js';
import type { Feature } from '../http/feature.js';
import { scoped } from '../http/scoped.js';
import { NoteIdsExhaustedError, type NotesRepository } from './repository.js';
import { CreateHeaders, ListQuery, MAX_NOTE_ID, Note, NoteList, NoteParams, noteInputSchema } from './schemas.js';

const DEFAULT_PAGE_SIZE = 100;
const JSON_UTF8 = 'application/json; charset=utf-8';

/** A JSON array written batch by batch, so only one batch is ever in memory. */
async function* jsonArray(first: IteratorResult<Note[]>, rest: AsyncIterator<Note[]>): AsyncGenerator<string> {
  let separator = '';
  yield '[';
  for (let next = first; !next.done; next = await rest.next()) {
    const batch = next.value;
    let chunk = '';
    for (const note of batch) {
      chunk += separator + JSON.stringify(note);
      separator = ',';
    }
    yield chunk;
  }
  yield ']';
}

/** The error codes of this feature's own, besides the HTTP kit's, and their status. */
export const NOTES_ERRORS = { idempotency_key_reused: 422, insufficient_storage: 507 } as const;

export interface NotesRoutesOptions {
  notes: NotesRepository;
  noteMaxLength: number;
  idempotencyKeyTtlMs: number;
}

/** The notes feature as buildApp serves it. */
export function notesFeature(options: NotesRoutesOptions): Feature {
  return {
    errors: NOTES_ERRORS,
    async register(scope) {
      await scope.register(notesRoutes, options);
    },
  };
}

/** The note, or the 404 that says there is none (any more) under that id. */
function noteOr404(reply: FastifyReply, id: string, note: Note | undefined) {
  return note ?? notFound(reply, `note ${id} does not exist`);
}

function created(reply: FastifyReply, note: Note) {
  return reply.code(201).header('location', `/notes/${note.id}/`).send(note);
}

export const notesRoutes = scoped<FastifyPluginAsyncTypebox<NotesRoutesOptions>>(
  'notes-routes',
  async (app, { notes, noteMaxLength, idempotencyKeyTtlMs }) => {
    const errors = { '4xx': ApiError, '5xx': ApiError };

    // The one failure of this feature's own: the identity reached MAX_NOTE_ID. Not
    // a 503 (retrying won't help) and not a bare 500: an operator must act.
    app.setErrorHandler<FastifyError>((error, request, reply) => {
      if (!(error instanceof NoteIdsExhaustedError)) return handleError(error, request, reply);
      request.log.error({ err: error }, 'no note id is left');
      return sendError(reply, 507, 'insufficient_storage', error.message);
    });

    app.post(
      '/notes/',
      {
        schema: {
          operationId: 'createNote',
          summary: 'Create a note',
          description:
            'Stores a note and answers 201 once it is committed. With Idempotency-Key, a retry with the same body ' +
            'replays the first 201 (Idempotent-Replayed: true), even once the note is deleted; with another body ' +
            'it is a 422. A 503 means the ' +
            'note was not stored, but for a create running at the moment the deadline passed: retry with ' +
            'Idempotency-Key to make a retry safe in every case.',
          tags: ['notes'],
          security: OPTIONAL_BEARER,
          headers: CreateHeaders,
          body: noteInputSchema(noteMaxLength),
          response: { 201: Note, ...errors },
        },
      },
      async (request, reply) => {
        const input = { contents: request.body.contents, category: request.body.category ?? '' };
        const key = request.headers['idempotency-key'];
        if (key === undefined) return created(reply, await notes.create(input));
        const result = await notes.createOnce(input, key, idempotencyKeyTtlMs);
        if ('keyReused' in result) {
          return sendError(reply, 422, 'idempotency_key_reused', 'this Idempotency-Key was used with another body');
        }
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return created(reply, result.note);
      },
    );

    app.get(
      '/notes/:id/',
      {
        schema: {
          operationId: 'getNote',
          summary: 'Get a note by id',
          tags: ['notes'],
          security: OPTIONAL_BEARER,
          params: NoteParams,
          response: { 200: Note, ...errors },
        },
      },
      async (request, reply) => {
        return noteOr404(reply, request.params.id, await notes.get(BigInt(request.params.id)));
      },
    );

    app.delete(
      '/notes/:id/',
      {
        schema: {
          operationId: 'deleteNote',
          summary: 'Delete a note',
          description:
            'Answers 200 with the note as it was; from then on it is not found and no listing holds it, and ' +
            'another DELETE answers 404. A 503 may come after the delete took effect: retry, and a 404 then ' +
            'means it is gone.',
          tags: ['notes'],
          security: OPTIONAL_BEARER,
          params: NoteParams,
          response: { 200: Note, ...errors },
        },
      },
      async (request, reply) => {
        return noteOr404(reply, request.params.id, await notes.delete(BigInt(request.params.id)));
      },
    );

    app.get(
      '/notes/',
      {
        schema: {
          operationId: 'listNotes',
          summary: 'List notes, all at once or a page at a time',
          description:
            'Without limit and after: every note ascending by id, one JSON array streamed in batches. With either: ' +
            'a page of up to limit notes after the id `after`, with Link: <…>; rel="next" while more remain; a page ' +
            'also stops early at PAGE_MAX_BYTES, so page until the Link is gone. With category, either form ' +
            'holds only the notes of that category.',
          tags: ['notes'],
          security: OPTIONAL_BEARER,
          querystring: ListQuery,
          response: { 200: NoteList, ...errors },
        },
      },
      async (request, reply) => {
        const { limit, after, category } = request.query;
        if (limit === undefined && after === undefined) {
          // HEAD gets the listing's headers and no rows read: Fastify would run the
          // whole listing and drain it, a full scan for an answer without a body.
          if (request.method === 'HEAD') return reply.type(JSON_UTF8).send(Readable.from([]) as never);
          // All notes in one array, streamed batch by batch with backpressure. The
          // first batch is read before any byte is sent, so a database outage is
          // still a 503, not a truncated 200.
          const batches = notes.listAll(category)[Symbol.asyncIterator]();
          const first = await batches.next();
          const body = Readable.from(jsonArray(first, batches));
          return reply.type(JSON_UTF8).send(body as never); // streams skip the serializer
        }
        const pageSize = Number(limit ?? DEFAULT_PAGE_SIZE);
        const afterId = BigInt(after ?? 0);
        if (afterId > MAX_NOTE_ID) {
          return sendError(
            reply,
            400,
            'invalid_request',
            `querystring/after must be a note id, at most ${MAX_NOTE_ID}`,
          );
        }
        const page = await notes.listPage(pageSize, afterId, category);
        const last = page.notes.at(-1);
        if (page.more && last) {
          const inCategory = category === undefined ? '' : `&category=${encodeURIComponent(category)}`;
          reply.header('link', `</notes/?limit=${pageSize}&after=${last.id}${inCategory}>; rel="next"`);
        }
        return page.notes;
      },
    );
  },
);
