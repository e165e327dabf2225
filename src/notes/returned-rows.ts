// Which row of a coalesced insert's RETURNING belongs to which caller. RETURNING
// promises no order, so rows are matched by contents and category; callers with
// equal ones get distinct rows that are alike but for their ids.

/** What a caller asked to store, and what a returned row holds of it. */
export interface Stored {
  contents: string;
  category: string;
}

/**
 * `rows` in the order of `inputs`, one each. RETURNING comes in the inputs' order
 * in practice: checked row by row, that costs no lookup table; any other order is
 * matched through one. Throws when a row is missing (a broken invariant).
 */
export function rowsInInputOrder<Row extends Stored>(inputs: readonly Stored[], rows: Row[]): Row[] {
  if (rows.length === inputs.length && rows.every((row, i) => sameInput(row, inputs[i] as Stored))) {
    return rows;
  }
  const byInput = new Map<string, Row[]>();
  for (const row of rows) {
    const alike = byInput.get(inputKey(row));
    if (alike) alike.push(row);
    else byInput.set(inputKey(row), [row]);
  }
  return inputs.map((input) => {
    const row = byInput.get(inputKey(input))?.pop();
    if (!row) throw new Error('an inserted note is missing from RETURNING');
    return row;
  });
}

const sameInput = (row: Stored, input: Stored) => row.contents === input.contents && row.category === input.category;

/** Contents and category as one key; NUL separates them, as text can't hold it. */
const inputKey = ({ contents, category }: Stored) => `${category}\u0000${contents}`;
