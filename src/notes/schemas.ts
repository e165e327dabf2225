// TypeBox schemas of the notes API: they validate requests, serialize responses
// and feed the OpenAPI document, so the three can't disagree.
import Type, { type Static } from 'typebox';

/**
 * The largest note id: Number.MAX_SAFE_INTEGER, where the identity ends
 * (migrations/003), so that every id is exact as a JSON number in any client.
 * Past it a create answers 507 insufficient_storage; ids above it can't exist.
 */
export const MAX_NOTE_ID = 9_007_199_254_740_991n;

/** The longest category, in UTF-16 code units; the table checks it too (migrations/004). */
export const CATEGORY_MAX_LENGTH = 100;

export const Note = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number(MAX_NOTE_ID) }),
  contents: Type.String(),
  category: Type.String({ description: 'The empty string when the note has none' }),
  creation_date: Type.String({ format: 'date-time', description: 'ISO 8601, UTC' }),
});
export type Note = Static<typeof Note>;

/** What a create stores: the contents, and the category ("" for none). */
export type NoteInput = Pick<Note, 'contents' | 'category'>;

export const NoteList = Type.Array(Note);

// PostgreSQL text can't hold NUL, and a lone UTF-16 surrogate would be stored as
// U+FFFD: reject both instead of failing or silently changing the note. Ajv
// compiles patterns with the `u` flag, so a valid surrogate pair is one code point
// and only unpaired halves fall in the range.
const STORABLE_TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$';

const category = (description: string) =>
  Type.String({
    maxLength: CATEGORY_MAX_LENGTH,
    pattern: STORABLE_TEXT,
    description,
    errorMessage: {
      type: 'must be a string',
      maxLength: `must be at most ${CATEGORY_MAX_LENGTH} characters long`,
      pattern: 'must not contain NUL characters or unpaired surrogates',
    },
  });

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
    category: Type.Optional(category('Any text, "" (the default) for none')),
  });
}

export const NoteParams = Type.Object({
  id: Type.String({
    pattern: '^[1-9][0-9]*$',
    errorMessage: { pattern: 'must be a positive integer' },
  }),
});

/**
 * Keyset pagination: both optional; either one switches GET /notes/ to pages
 * (limit defaults to 100). `category`, on either form, keeps only that category's notes.
 */
export const ListQuery = Type.Object({
  category: Type.Optional(category('Only the notes of this category ("": those without one)')),
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
