import { createHash, randomBytes } from 'node:crypto';
import type { Clock, IdGenerator, SecretGenerator } from '#application/ports';

export const systemClock: Clock = { now: () => new Date() };

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Time-ordered ids (48-bit milliseconds + 60 random bits, Crockford base32, lower case), so lists sorted by id are
 * sorted by creation and ids never collide across Lambdas.
 */
export const randomIds: IdGenerator = {
  next(prefix: string): string {
    let time = Date.now();
    let head = '';
    for (let i = 0; i < 10; i++) {
      head = ALPHABET[time % 32]! + head;
      time = Math.floor(time / 32);
    }
    const bytes = randomBytes(12);
    let tail = '';
    for (const byte of bytes) tail += ALPHABET[byte % 32]!;
    return `${prefix}${head}${tail}`;
  },
};

export const sha256Secrets: SecretGenerator = {
  secret: () => randomBytes(32).toString('base64url'),
  digest: (apiKey: string) => createHash('sha256').update(apiKey, 'utf8').digest('hex'),
};
