import { isIPv4, isIPv6 } from 'node:net';

/**
 * Where a merchant may ask us to POST. Webhooks make our functions send requests to addresses a tenant chose, so a URL
 * that names a private, link-local or metadata address would let a tenant probe (or read from) whatever our network
 * can reach (SSRF). The check runs on the URL when it is registered, and on the URL and every address it resolves to
 * right before each delivery (a public name can later resolve to a private address); the sender then connects only to
 * those checked addresses (shared/adapters/http/webhook-sender.ts), never resolving the name again.
 */
export interface UrlPolicy {
  /** `http://127.0.0.1:port/...` and `http://localhost/...` are accepted: the local cloud and tests only. */
  allowInsecureLoopback: boolean;
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

export const MAX_URL_LENGTH = 2048;

const REFUSED_HOST_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa', '.intranet', '.corp', '.lan'];

export function checkWebhookUrl(raw: string, policy: UrlPolicy): UrlVerdict {
  if (raw.length > MAX_URL_LENGTH) return refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('must be an absolute https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('must use https');
  if (url.username || url.password) return refuse('must not carry credentials');
  const host = hostOf(url);
  const kind = classifyHost(host);
  if (kind === 'loopback') {
    return policy.allowInsecureLoopback ? { ok: true, url } : refuse('must not point at a loopback address');
  }
  if (kind === 'private' || kind === 'link-local' || kind === 'reserved') {
    return refuse('must not point at a private, link-local, metadata or reserved address');
  }
  if (kind === 'unqualified') return refuse('must name a public host (a fully qualified domain name or a public IP address)');
  if (url.protocol !== 'https:') return refuse('must use https');
  return { ok: true, url };
}

/** Whether a resolved address may receive a delivery. */
export function isAllowedAddress(address: string, policy: UrlPolicy): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || (kind === 'loopback' && policy.allowInsecureLoopback);
}

/** The host of a URL without IPv6 brackets, lower case. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

function classifyHost(host: string): AddressClass | 'unqualified' {
  if (isIPv4(host) || isIPv6(host)) return classifyAddress(host);
  const name = host.replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (name === 'metadata.google.internal' || REFUSED_HOST_SUFFIXES.some((suffix) => name.endsWith(suffix))) return 'private';
  if (!name.includes('.')) return 'unqualified';
  return 'public';
}

/** The class of an IPv4 or IPv6 address (anything unparseable is `reserved`, i.e. refused). */
export function classifyAddress(address: string): AddressClass {
  if (isIPv4(address)) return classifyIPv4(ipv4Octets(address));
  if (isIPv6(address)) return classifyIPv6(ipv6Words(address));
  return 'reserved';
}

type Cidr4 = [number, number, number, number, number];

const IPV4_RANGES: Array<[Cidr4, AddressClass]> = [
  [[127, 0, 0, 0, 8], 'loopback'],
  [[10, 0, 0, 0, 8], 'private'],
  [[172, 16, 0, 0, 12], 'private'],
  [[192, 168, 0, 0, 16], 'private'],
  [[100, 64, 0, 0, 10], 'private'], // carrier-grade NAT
  [[169, 254, 0, 0, 16], 'link-local'], // includes the instance metadata service 169.254.169.254
  [[0, 0, 0, 0, 8], 'reserved'],
  [[192, 0, 0, 0, 24], 'reserved'],
  [[192, 0, 2, 0, 24], 'reserved'],
  [[198, 18, 0, 0, 15], 'reserved'],
  [[198, 51, 100, 0, 24], 'reserved'],
  [[203, 0, 113, 0, 24], 'reserved'],
  [[224, 0, 0, 0, 4], 'reserved'], // multicast
  [[240, 0, 0, 0, 4], 'reserved'], // includes 255.255.255.255
];

function classifyIPv4(octets: number[]): AddressClass {
  const value = toUint32(octets);
  for (const [[a, b, c, d, bits], kind] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((value & mask) >>> 0) === ((toUint32([a, b, c, d]) & mask) >>> 0)) return kind;
  }
  return 'public';
}

function classifyIPv6(words: number[]): AddressClass {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const embeddedV4 = [w6 >> 8, w6 & 0xff, w7 >> 8, w7 & 0xff];
  const firstFive = [w0, w1, w2, w3, w4].every((w) => w === 0);
  if (firstFive && w5 === 0 && w6 === 0 && w7 === 1) return 'loopback';
  if (firstFive && w5 === 0 && w6 === 0 && w7 === 0) return 'reserved'; // ::
  if (firstFive && w5 === 0xffff) return classifyIPv4(embeddedV4); // ::ffff:a.b.c.d, IPv4-mapped
  if (firstFive && w5 === 0) return 'reserved'; // ::a.b.c.d, IPv4-compatible (deprecated)
  if ([w0, w1, w2, w3].every((w) => w === 0) && w4 === 0xffff && w5 === 0) return classifyIPv4(embeddedV4); // ::ffff:0:a.b.c.d, IPv4-translated
  if (w0 === 0x64 && w1 === 0xff9b && [w2, w3, w4, w5].every((w) => w === 0)) return classifyIPv4(embeddedV4); // NAT64
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 1) return 'private'; // 64:ff9b:1::/48, local-use NAT64: translates to anything
  if (w0 === 0x2002) return classifyIPv4([w1 >> 8, w1 & 0xff, w2 >> 8, w2 & 0xff]); // 6to4 carries an IPv4 address
  if (w0 === 0x2001 && w1 === 0) return 'reserved'; // Teredo tunnels to an (obfuscated) IPv4 address
  if ((w0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local (AWS IMDS is fd00:ec2::254)
  if ((w0 & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((w0 & 0xffc0) === 0xfec0) return 'private'; // fec0::/10, deprecated site-local
  if ((w0 & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (w0 === 0x2001 && w1 === 0x0db8) return 'reserved'; // documentation
  if (w0 === 0x0100 && [w1, w2, w3].every((w) => w === 0)) return 'reserved'; // discard-only
  return 'public';
}

function ipv4Octets(address: string): number[] {
  return address.split('.').map(Number);
}

function toUint32(octets: number[]): number {
  return (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
}

/** Eight 16-bit words of a valid IPv6 address (`::` expanded, a dotted IPv4 tail folded into the last two words). */
function ipv6Words(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Octets(tail[1]!);
    text = `${text.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const middle = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((word) => parseInt(word, 16));
}

function refuse(reason: string): UrlVerdict {
  return { ok: false, reason };
}
