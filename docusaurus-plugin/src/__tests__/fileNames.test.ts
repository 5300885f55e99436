/**
 * No two files of the package may differ only in case (`Surface.tsx` beside `surface.ts` once
 * did): webpack warns about such a pair, and on a case-insensitive file system (macOS, Windows)
 * one of them silently stands in for the other.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';

const SRC = path.resolve(__dirname, '..');

/** A module's name as an import sees it: case folded, extension dropped (`./surface`). */
const importName = (file: string) => file.replace(/\.(d\.ts|tsx?|jsx?|mjs|cjs)$/, '').toLowerCase();

it('has no two files in one folder whose import names differ only in case', async () => {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true });
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const entry of entries) {
    const key = path.join(entry.parentPath, importName(entry.name));
    const other = seen.get(key);
    if (other !== undefined && other !== entry.name) clashes.push(`${entry.parentPath}: ${other} ~ ${entry.name}`);
    seen.set(key, entry.name);
  }
  assert.deepEqual(clashes, []);
});
