// Hot queries compiled once per database and shape, then run with new values: Kysely otherwise rebuilds and
// recompiles the query tree on every request, which costs more than SQLite takes to answer it.
import { CompiledQuery, type Compilable, type Kysely, type RawBuilder } from 'kysely';

const PLACEHOLDER = /^\u0000arg(\d+)\u0000$/;

/**
 * Wraps `build(db, ...args)` so that its compiled SQL is kept per database and per `shapeOf(args)` (queries whose
 * SQL differs with the arguments, such as optional filters, name their shape). Arguments must reach the query as
 * bound parameters, unchanged: they are swapped into the compiled parameter list by position.
 */
export function reusableQuery<Row, Args extends unknown[]>(
  build: (db: Kysely<any>, ...args: Args) => Compilable<Row> | RawBuilder<Row>,
  shapeOf: (...args: Args) => string = () => '',
): (db: Kysely<any>, ...args: Args) => Promise<Row[]> {
  const compiledByDb = new WeakMap<Kysely<any>, Map<string, CompiledQuery<Row>>>();
  return async (db, ...args) => {
    let byShape = compiledByDb.get(db);
    if (!byShape) compiledByDb.set(db, (byShape = new Map()));
    const shape = shapeOf(...args);
    let compiled = byShape.get(shape);
    if (!compiled) {
      const placeholders = args.map((arg, index) => (arg === undefined ? undefined : `\u0000arg${index}\u0000`)) as Args;
      // Raw `sql` needs the database to pick its dialect; query builders know theirs and ignore the argument.
      const query = build(db, ...placeholders) as { compile(db: Kysely<any>): CompiledQuery<Row> };
      compiled = query.compile(db);
      byShape.set(shape, compiled);
    }
    const parameters = compiled.parameters.map((parameter) => {
      const match = typeof parameter === 'string' ? PLACEHOLDER.exec(parameter) : null;
      return match ? args[Number(match[1])] : parameter;
    });
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<Row>);
    return result.rows;
  };
}
