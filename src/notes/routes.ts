// HTTP only: schemas and thin handlers for /notes. Both spellings (/notes and
// /notes/, /notes/7 and /notes/7/) match because the router ignores the trailing slash.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../errors.js';
import type { NotesRepository } from './repository.js';
import { ApiError, Note, NoteList, NoteParams, noteInputSchema } from './schemas.js';

export interface NotesRoutesOptions {
  notes: NotesRepository;
  noteMaxLength: number;
}

export const notesRoutes: FastifyPluginAsyncTypebox<NotesRoutesOptions> = async (app, { notes, noteMaxLength }) => {
  const errors = { '4xx': ApiError, '5xx': ApiError };

  app.post(
    '/notes/',
    { schema: { body: noteInputSchema(noteMaxLength), response: { 201: Note, ...errors } } },
    async (request, reply) => {
      const note = await notes.create(request.body.contents);
      return reply.code(201).header('location', `/notes/${note.id}/`).send(note);
    },
  );

  app.get(
    '/notes/:id/',
    { schema: { params: NoteParams, response: { 200: Note, ...errors } } },
    async (request, reply) => {
      const note = await notes.get(BigInt(request.params.id));
      if (!note) return notFound(reply, `note ${request.params.id} does not exist`);
      return note;
    },
  );

  app.get('/notes/', { schema: { response: { 200: NoteList, ...errors } } }, async () => notes.list());
};
