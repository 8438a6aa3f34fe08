/**
 * Bulk inserts for the sync's writes. On PostgreSQL a batch is one `COPY … FROM STDIN` (text format)
 * on the transaction's own connection: 150k wide rows then cost no SQL text, no bind parameters and
 * no per-statement planning (bench/inventory-sync.ts). On SQLite, multi-row INSERTs through Knex.
 */
import { Knex } from 'knex';

export type BulkValue = string | number | boolean | Date | null;

/** knex writes SQLite multi-row inserts as `UNION ALL` selects, limited to 500 terms */
const SQLITE_ROWS_PER_INSERT = 50;
/** COPY data is sent in messages of about this many characters */
const COPY_MESSAGE_CHARS = 256 * 1024;

export function isPostgres(db: Knex): boolean {
  return String(db.client.config.client) === 'pg';
}

/** Inserts `rows` (values in the order of `columns`) into `table` inside `tx`. */
export async function bulkInsert(
  tx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: BulkValue[][],
): Promise<void> {
  if (!rows.length) return;
  if (isPostgres(tx)) {
    await copyIn(tx, table, columns, rows);
    return;
  }
  for (let i = 0; i < rows.length; i += SQLITE_ROWS_PER_INSERT) {
    await tx(table).insert(
      rows
        .slice(i, i + SQLITE_ROWS_PER_INSERT)
        .map(row => Object.fromEntries(columns.map((c, j) => [c, row[j]]))),
    );
  }
}

const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** One value in COPY's text format: `\N` is NULL; backslash, newline, CR and tab are escaped. */
function copyText(v: BulkValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  return /[\\\n\r\t]/.test(s)
    ? s.replace(/[\\\n\r\t]/g, c => COPY_ESCAPES[c])
    : s;
}

function copyMessages(rows: BulkValue[][]): Buffer[] {
  const messages: Buffer[] = [];
  let text = '';
  for (const row of rows) {
    text += `${row.map(copyText).join('\t')}\n`;
    if (text.length >= COPY_MESSAGE_CHARS) {
      messages.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  }
  if (text) messages.push(Buffer.from(text, 'utf8'));
  return messages;
}

/** The parts of node-postgres's connection a COPY FROM STDIN uses. */
interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * A node-postgres "submittable" query: the client calls these handlers as the server answers. The
 * server answers `COPY … FROM STDIN` with CopyInResponse, then takes the data, then CommandComplete
 * (or ErrorResponse, after which the client drops the query) and ReadyForQuery.
 */
class CopyFromStdin {
  readonly done: Promise<void>;
  private settle!: { ok: () => void; fail: (e: Error) => void };

  constructor(
    private readonly text: string,
    private readonly messages: Buffer[],
  ) {
    this.done = new Promise((ok, fail) => {
      this.settle = { ok, fail };
    });
  }

  submit(connection: PgConnection) {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection) {
    for (const m of this.messages) connection.sendCopyFromChunk(m);
    connection.endCopyFrom();
  }

  handleError(e: Error) {
    this.settle.fail(e);
  }

  handleReadyForQuery() {
    this.settle.ok();
  }

  handleCommandComplete() {}
  handleRowDescription() {}
  handleDataRow() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
  handleCopyData() {}
}

async function copyIn(
  tx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: BulkValue[][],
): Promise<void> {
  // inside a transaction, Knex hands out the transaction's own connection (a node-postgres Client)
  const connection = await tx.client.acquireConnection();
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const copy = new CopyFromStdin(
    `COPY ${quote(table)} (${columns.map(quote).join(', ')}) FROM STDIN`,
    copyMessages(rows),
  );
  connection.query(copy);
  await copy.done;
}
