import { describe, expect, it } from 'vitest';
import { rowsInInputOrder } from '../../../src/notes/returned-rows.js';

const input = (contents: string, category = '') => ({ contents, category });
const row = (id: number, contents: string, category = '') => ({ id, contents, category });

describe('rowsInInputOrder', () => {
  it('takes rows that come in the inputs order as they are: the same array, no lookup built', () => {
    const rows = [row(1, 'a'), row(2, 'b', 'work'), row(3, 'c')];
    expect(rowsInInputOrder([input('a'), input('b', 'work'), input('c')], rows)).toBe(rows);
  });

  it('matches by category too when the contents are alike, in order or not', () => {
    const inputs = [input('x', ''), input('x', 'work')];
    const swapped = [row(2, 'x', 'work'), row(1, 'x', '')];
    expect(rowsInInputOrder(inputs, swapped)).toEqual([row(1, 'x', ''), row(2, 'x', 'work')]);
    const inOrder = [row(1, 'x', ''), row(2, 'x', 'work')];
    expect(rowsInInputOrder(inputs, inOrder)).toBe(inOrder);
  });

  it('matches rows in another order to their inputs by contents and category', () => {
    const inputs = [input('a'), input('b', 'work'), input('b'), input('c')];
    const rows = [row(4, 'c'), row(3, 'b'), row(1, 'a'), row(2, 'b', 'work')];
    expect(rowsInInputOrder(inputs, rows)).toEqual([row(1, 'a'), row(2, 'b', 'work'), row(3, 'b'), row(4, 'c')]);
  });

  it('gives inputs alike distinct rows, each row once', () => {
    const inputs = [input('same'), input('other'), input('same')];
    const rows = [row(7, 'other'), row(8, 'same'), row(9, 'same')];
    const matched = rowsInInputOrder(inputs, rows);
    expect(matched.map((r) => r.contents)).toEqual(['same', 'other', 'same']);
    expect(new Set(matched.map((r) => r.id))).toEqual(new Set([7, 8, 9]));
  });

  it('tells contents from category: the same text in the other field is another input', () => {
    const inputs = [input('x', ''), input('', 'x')];
    const rows = [row(2, '', 'x'), row(1, 'x', '')];
    expect(rowsInInputOrder(inputs, rows)).toEqual([row(1, 'x', ''), row(2, '', 'x')]);
  });

  it('fails when a row is missing, in order or not', () => {
    expect(() => rowsInInputOrder([input('a'), input('b')], [row(1, 'a')])).toThrow(
      'an inserted note is missing from RETURNING',
    );
    expect(() => rowsInInputOrder([input('a'), input('b')], [row(1, 'b'), row(2, 'c')])).toThrow(
      'an inserted note is missing from RETURNING',
    );
  });
});
