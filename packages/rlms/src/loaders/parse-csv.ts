import { extname } from 'node:path';
import { ContextError } from '@rlms/core';
import { readDataFile } from './read-data-file.js';

/** Options of {@link parseCsv} and {@link loadCsv}. */
export interface CsvOptions {
  /** Field separator (one character). Default `','` (`'\t'` for `.tsv` files in `loadCsv`). */
  readonly delimiter?: string;
  /**
   * `true` (default): the first row names the columns and each row becomes a record
   * (`{ column: value }`; empty names become `column_N`, repeated ones get `_2`, `_3`…).
   * `false`: each row is an array of strings.
   */
  readonly header?: boolean;
  /** Rows whose field count differs from the first row's: `'error'` (default) throws; `'keep'` keeps them (missing fields are `''`, extra ones dropped for records). */
  readonly ragged?: 'error' | 'keep';
  /** Name of the source for error messages. Default `'CSV input'`. */
  readonly source?: string;
}

/** A CSV row as a record of column name → field text. */
export type CsvRecord = Record<string, string>;

interface Row {
  readonly fields: string[];
  readonly line: number;
}

function parseRows(text: string, delimiter: string, source: string): Row[] {
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  let quoteLine = 0;
  let afterQuote = false;
  /** Whether the current row had a quoted field (so `""` alone is a row, not a blank line). */
  let rowQuoted = false;
  const endRow = () => {
    fields.push(field);
    if (rowQuoted || !(fields.length === 1 && fields[0] === '')) rows.push({ fields, line: rowLine });
    fields = [];
    field = '';
    rowQuoted = false;
  };
  for (; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === delimiter) {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRow();
      afterQuote = false;
      line++;
      rowLine = line;
    } else if (afterQuote) {
      throw new ContextError(`${source}, line ${line}: unexpected ${JSON.stringify(char)} after a closing quote (a field with quotes must be wrapped in quotes entirely, inner quotes doubled: "say ""hi""").`, {
        code: 'csv-invalid',
      });
    } else if (char === '"' && field === '') {
      quoted = true;
      rowQuoted = true;
      quoteLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) throw new ContextError(`${source}, line ${quoteLine}: a quoted field is never closed.`, { code: 'csv-invalid' });
  if (field !== '' || fields.length > 0 || afterQuote) endRow();
  return rows;
}

function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, index) => {
    const name = raw.trim() === '' ? `column_${index + 1}` : raw;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}_${count}`;
  });
}

/**
 * Parses CSV text (RFC 4180): quoted fields with delimiters, doubled quotes and line breaks inside;
 * `\n`, `\r\n` or `\r` row ends; a leading BOM dropped; blank lines skipped. Field text is kept as
 * is (no trimming, no type conversion).
 *
 * Throws `ContextError` (code `'csv-invalid'`) with the line number for an unclosed quote, text
 * after a closing quote, or (with `ragged: 'error'`) a row with the wrong number of fields.
 */
export function parseCsv(text: string, options: CsvOptions & { readonly header: false }): string[][];
export function parseCsv(text: string, options?: CsvOptions): CsvRecord[];
export function parseCsv(text: string, options: CsvOptions = {}): CsvRecord[] | string[][] {
  const delimiter = options.delimiter ?? ',';
  const source = options.source ?? 'CSV input';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ContextError(`The CSV delimiter must be one character other than a quote or line break; got ${JSON.stringify(delimiter)}.`, { code: 'csv-invalid' });
  }
  const rows = parseRows(text, delimiter, source);
  if (rows.length === 0) return [];
  const width = rows[0]!.fields.length;
  if (options.ragged !== 'keep') {
    for (const row of rows) {
      if (row.fields.length !== width) {
        throw new ContextError(`${source}, line ${row.line}: ${row.fields.length} fields where the first row has ${width} (pass ragged: 'keep' to accept).`, {
          code: 'csv-invalid',
        });
      }
    }
  }
  if (options.header === false) return rows.map((row) => row.fields);
  const names = uniqueNames(rows[0]!.fields);
  return rows.slice(1).map((row) => Object.fromEntries(names.map((name, index) => [name, row.fields[index] ?? ''])));
}

/**
 * Reads a CSV (or TSV) file as records (see {@link parseCsv}). `.tsv` files default to tab-separated.
 * Throws `ContextError` when the file cannot be read, is a FIFO, socket or device (`'context-not-regular'`,
 * never opened), is over 256 MiB (`'context-too-large'`) or is not valid CSV (with the line number).
 */
export async function loadCsv(path: string, options?: CsvOptions & { readonly header: false }): Promise<string[][]>;
export async function loadCsv(path: string, options?: CsvOptions): Promise<CsvRecord[]>;
export async function loadCsv(path: string, options: CsvOptions = {}): Promise<CsvRecord[] | string[][]> {
  const text = await readDataFile(path);
  const delimiter = options.delimiter ?? (extname(path).toLowerCase() === '.tsv' ? '\t' : ',');
  return parseCsv(text, { ...options, delimiter, source: options.source ?? path });
}
