/**
 * A PostgreSQL database of its own for one run of a test, a fault suite or a benchmark: created on
 * the server of `serverUrl`, dropped (with its open connections) by `drop()`. `name` is generated
 * by the caller (letters, digits, `_`), never taken from input: it is written into the statements.
 */
import postgres from "postgres";

export interface ScratchDatabase {
  /** `serverUrl` with the new database as its path. */
  url: string;
  drop(): Promise<void>;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function createScratchDatabase(serverUrl: string, name: string): Promise<ScratchDatabase> {
  if (!NAME.test(name)) throw new RangeError(`Cannot create database "${name}": expected [a-z_][a-z0-9_]*`);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
