import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, classifyAddress, isAllowedAddress } from './url-policy.ts';

const strict = { allowInsecureLoopback: false };
const local = { allowInsecureLoopback: true };
const reasonOf = (url: string, policy = strict) => {
  const verdict = checkWebhookUrl(url, policy);
  return verdict.ok ? 'ok' : verdict.reason;
};

describe('webhook URL policy', () => {
  it('accepts a public https URL with a port, path and query', () => {
    expect(reasonOf('https://hooks.example.com:8443/dom/events?source=dom')).toBe('ok');
    expect(reasonOf('https://93.184.216.34/hook')).toBe('ok');
    expect(reasonOf('https://[2606:2800:220:1:248:1893:25c8:1946]/hook')).toBe('ok');
  });

  it('refuses plain http to a public host, even where loopback http is allowed', () => {
    expect(reasonOf('http://hooks.example.com/x')).toBe('must use https');
    expect(reasonOf('http://hooks.example.com/x', local)).toBe('must use https');
  });

  it('refuses other schemes and things that are not URLs', () => {
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://example.com']) {
      expect(reasonOf(url), url).toBe('must use https');
    }
    expect(reasonOf('not a url')).toBe('must be an absolute https URL');
    expect(reasonOf('/relative/path')).toBe('must be an absolute https URL');
  });

  it('refuses credentials in the URL', () => {
    expect(reasonOf('https://user:pass@hooks.example.com/')).toBe('must not carry credentials');
  });

  it('allows loopback, over http too, only when the configuration says so', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost:3000/x', 'https://[::1]/x', 'http://127.1.2.3/']) {
      expect(reasonOf(url, local), url).toBe('ok');
      expect(reasonOf(url, strict), url).toBe('must not point at a loopback address');
    }
  });

  it('refuses private, link-local, metadata and reserved addresses however they are spelled', () => {
    const refused = [
      'https://10.0.0.1/',
      'https://172.16.5.4/',
      'https://172.31.255.255/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://[fd00:ec2::254]/',
      'https://[fe80::1]/',
      'https://[::ffff:169.254.169.254]/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://0xa9.0xfe.0xa9.0xfe/', // hex octets: the URL parser normalises them to 169.254.169.254
      'https://2852039166/', // 169.254.169.254 as one number
      'https://224.0.0.1/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://db.internal/',
      'https://printer.local/',
    ];
    for (const url of refused) expect(reasonOf(url, local), url).toBe('must not point at a private, link-local, metadata or reserved address');
  });

  it('refuses single-label host names, which resolve through search domains', () => {
    expect(reasonOf('https://intranet/hook')).toMatch(/public host/);
  });

  it('refuses URLs longer than 2048 characters', () => {
    expect(reasonOf(`https://hooks.example.com/${'a'.repeat(2048)}`)).toMatch(/at most 2048/);
  });

  it('normalises the accepted URL', () => {
    const verdict = checkWebhookUrl('HTTPS://Hooks.Example.COM/a', strict);
    expect(verdict.ok && verdict.url.href).toBe('https://hooks.example.com/a');
  });
});

describe('resolved addresses', () => {
  it('classifies IPv4 and IPv6 addresses', () => {
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('10.1.2.3')).toBe('private');
    expect(classifyAddress('169.254.169.254')).toBe('link-local');
    expect(classifyAddress('::ffff:10.0.0.1')).toBe('private');
    expect(classifyAddress('2001:db8::1')).toBe('reserved');
    expect(classifyAddress('2a00:1450:4001:82b::200e')).toBe('public');
    expect(classifyAddress('not-an-ip')).toBe('reserved');
  });

  it('classifies IPv6 addresses that carry or reach an IPv4 address by the IPv4 address, or refuses them', () => {
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('::ffff:a9fe:a9fe')).toBe('link-local');
    expect(classifyAddress('::ffff:8.8.8.8')).toBe('public');
    expect(classifyAddress('::ffff:0:a9fe:a9fe')).toBe('link-local'); // IPv4-translated
    expect(classifyAddress('64:ff9b::a9fe:a9fe')).toBe('link-local'); // NAT64
    expect(classifyAddress('64:ff9b:1::a00:1')).toBe('private'); // local-use NAT64
    expect(classifyAddress('2002:a9fe:a9fe::1')).toBe('link-local'); // 6to4
    expect(classifyAddress('2002:808:808::1')).toBe('public');
    expect(classifyAddress('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('reserved'); // Teredo
    expect(classifyAddress('fec0::1')).toBe('private'); // site-local
    expect(classifyAddress('fe80::1%eth0')).toBe('link-local');
  });

  it('lets a delivery go to public addresses, and to loopback only when allowed', () => {
    expect(isAllowedAddress('8.8.8.8', strict)).toBe(true);
    expect(isAllowedAddress('127.0.0.1', strict)).toBe(false);
    expect(isAllowedAddress('127.0.0.1', local)).toBe(true);
    expect(isAllowedAddress('192.168.0.10', local)).toBe(false);
  });
});
