/** What a column holds; it decides how a value becomes a cell (SPEC EXP-5). */
export type ColumnKind =
  | 'text'
  | 'number'
  | 'boolean'
  | 'timestamp'
  | 'list'
  | 'json';

export interface ColumnSpec {
  header: string;
  kind: ColumnKind;
}

export interface SheetSpec {
  name: string;
  columns: ColumnSpec[];
  /**
   * Label/value lines written above the table (the export's Summary header), followed by one empty line;
   * the header row, frozen pane and autofilter move below them. Text cells, neutralised like any other.
   */
  preamble?: ReadonlyArray<readonly [string, string | null]>;
}

/** The largest text an XLSX cell holds. */
export const MAX_CELL_TEXT = 32_767;
const TRUNCATION_MARK = '…[truncated]';

/**
 * First characters that make a spreadsheet treat text as a formula or a command (SPEC EXP-9), including
 * the full-width forms some spreadsheet apps also honour.
 */
const FORMULA_TRIGGERS = new Set([
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  '\n',
  '\uFF1D',
  '\uFF0B',
  '\uFF0D',
  '\uFF20',
]);

/** Prefixes tenant-controlled text that a spreadsheet would run as a formula with a single quote. */
export function neutraliseFormula(text: string): string {
  return text.length > 0 && FORMULA_TRIGGERS.has(text[0]) ? `'${text}` : text;
}

function truncate(text: string): string {
  return text.length > MAX_CELL_TEXT
    ? text.slice(0, MAX_CELL_TEXT - TRUNCATION_MARK.length) + TRUNCATION_MARK
    : text;
}

function toText(kind: ColumnKind, value: unknown): string {
  switch (kind) {
    case 'list':
      return (Array.isArray(value) ? value : [value]).map(String).join('; ');
    case 'json':
      return JSON.stringify(value);
    case 'timestamp':
      return new Date(value as string | number | Date).toISOString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * The one conversion of a value into a cell for every CSV and XLSX the product writes: numbers stay numeric
 * (and unprefixed), everything else becomes neutralised, length-capped text. Empty values become null.
 */
export function toCell(
  kind: ColumnKind,
  value: unknown,
): string | number | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (kind === 'number') {
    const number = typeof value === 'number' ? value : Number(value);
    if (Number.isFinite(number)) {
      return number;
    }
  }
  return neutraliseFormula(truncate(toText(kind, value)));
}
