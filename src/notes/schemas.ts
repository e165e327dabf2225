// TypeBox schemas of the notes API: they validate requests, serialize responses
// and feed the OpenAPI document, so the three can't disagree.
import Type, { type Static } from 'typebox';

/**
 * The largest note id: Number.MAX_SAFE_INTEGER, where the identity ends
 * (migrations/003), so that every id is exact as a JSON number in any client.
 * Past it a create answers 507 insufficient_storage; ids above it can't exist.
 */
export const MAX_NOTE_ID = 9_007_199_254_740_991n;

export const Note = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number(MAX_NOTE_ID) }),
  contents: Type.String(),
  creation_date: Type.String({ format: 'date-time', description: 'ISO 8601, UTC' }),
});
export type Note = Static<typeof Note>;

export const NoteList = Type.Array(Note);

// PostgreSQL text can't hold NUL, and a lone UTF-16 surrogate would be stored as
// U+FFFD: reject both instead of failing or silently changing the note. Ajv
// compiles patterns with the `u` flag, so a valid surrogate pair is one code point
// and only unpaired halves fall in the range.
const STORABLE_TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$';

export function noteInputSchema(maxLength: number) {
  return Type.Object({
    contents: Type.String({
      minLength: 1,
      maxLength,
      pattern: STORABLE_TEXT,
      errorMessage: {
        type: 'must be a string',
        minLength: 'must not be empty',
        maxLength: `must be at most ${maxLength} characters long (UTF-16 code units: an emoji counts 2)`,
        pattern: 'must not contain NUL characters or unpaired surrogates',
      },
    }),
  });
}

export const NoteParams = Type.Object({
  id: Type.String({
    pattern: '^[1-9][0-9]*$',
    errorMessage: { pattern: 'must be a positive integer' },
  }),
});

/** Keyset pagination: both optional; either one switches GET /notes/ to pages (limit defaults to 100). */
export const ListQuery = Type.Object({
  limit: Type.Optional(
    Type.String({
      pattern: '^(1000|[1-9][0-9]{0,2})$',
      errorMessage: { pattern: 'must be a whole number from 1 to 1000' },
    }),
  ),
  after: Type.Optional(
    Type.String({
      pattern: '^(0|[1-9][0-9]{0,18})$',
      errorMessage: { pattern: 'must be a note id (a whole number)' },
    }),
  ),
});

export const CreateHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7E]{1,255}$',
      errorMessage: { pattern: 'must be 1 to 255 visible ASCII characters' },
      description: 'Repeats with the same key and body return the first 201; with another body, 422',
    }),
  ),
});
