import { DatabaseSync } from 'node:sqlite'

/**
 * Every table of the SQLite file at `path` as `name: [rows as JSON]`, one table per line, read
 * through a read-only connection: what someone holding the file could see.
 */
export function dumpTables(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => String(row.name))
    return tables.map((table) => `${table}: ${JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all())}`).join('\n')
  } finally {
    db.close()
  }
}
