import { BadRequestError } from '../../core/errors.ts';

/** Opaque keyset cursors: base64url JSON of the sort key of the last item on a page. */
export function encodeCursor(key: [string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string') {
      return [key[0], key[1]];
    }
  } catch {
    // reported below
  }
  throw new BadRequestError('cursor is not valid; pass back the cursor from the previous page');
}
