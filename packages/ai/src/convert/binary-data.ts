import { ValidationError, type JsonValue } from '@sessions/core';
import { isPlainObject } from '@sessions/core/engine';

/**
 * File and image parts may carry bytes or a `URL` object, which JSON cannot hold. They are
 * stored as a tagged object; the SDK never puts a plain object in those fields, so the tag
 * cannot be confused with the caller's data.
 */
type EncodedData = { $sessionsData: 'uint8array'; base64: string } | { $sessionsData: 'arraybuffer'; base64: string } | { $sessionsData: 'url'; href: string };

export type DataValue = string | Uint8Array | ArrayBuffer | URL;

export function encodeData(value: unknown, path: string): JsonValue {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return { $sessionsData: 'url', href: value.href } satisfies EncodedData;
  if (value instanceof Uint8Array) return { $sessionsData: 'uint8array', base64: toBase64(value) } satisfies EncodedData;
  if (value instanceof ArrayBuffer) return { $sessionsData: 'arraybuffer', base64: toBase64(new Uint8Array(value)) } satisfies EncodedData;
  throw new ValidationError('file data must be a string, Uint8Array, ArrayBuffer or URL', { path });
}

export function decodeData(value: JsonValue | undefined): DataValue | undefined {
  if (!isPlainObject(value)) return value as string | undefined;
  const encoded = value;
  switch (encoded['$sessionsData']) {
    case 'url':
      return new URL(String(encoded['href']));
    case 'uint8array':
      return fromBase64(String(encoded['base64']));
    case 'arraybuffer':
      return fromBase64(String(encoded['base64'])).buffer;
    default:
      return value as unknown as string;
  }
}

/** A `data:` URL or the URL itself, as UI file parts carry them. */
export function dataToUrl(value: DataValue | undefined, mediaType: string): string {
  if (value === undefined) return '';
  if (value instanceof URL) return value.href;
  if (typeof value === 'string') return /^(https?|data|file):/i.test(value) ? value : `data:${mediaType};base64,${value}`;
  return `data:${mediaType};base64,${toBase64(value instanceof Uint8Array ? value : new Uint8Array(value))}`;
}

// btoa/atob rather than Buffer, so the package also runs on edge runtimes.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
